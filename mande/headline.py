"""The Overview's headline: two or three sentences a head of mission reads before a briefing.

Generated in English and French from the stored rounds and the table of significant changes since
the previous round (false-discovery-rate controlled over every indicator and group,
:func:`mande.overview.significant_changes`):

1. the latest survey: its fieldwork month and dates, and how many people were interviewed;
2. the significant changes that matter most: the indicators whose change for all respondents is
   significant, largest first, each with its breadth (in how many groups the change is
   significant too);
3. the most affected region or group: the one with the most significant changes (ties broken by
   the largest change).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from mande.indicator_trends import fieldwork_month, round_label

if TYPE_CHECKING:
    import pandas as pd

    from mande.config import MissionConfig

_TEXT = {
    "en": {
        "latest": "The latest survey, {month}, interviewed {n} people between {start} and {end}.",
        "changes": "Since {previous}, {count} significantly for all respondents: {items}.",
        "one": "one indicator changed",
        "many": "{k} indicators changed",
        "none": "Since {previous}, no indicator changed significantly for all respondents.",
        "item": "{name} {change} (significant in {groups} groups)",
        "item_one": "{name} {change}",
        "group": "{group} is the most affected: {k} significant changes, {down} of them for the "
        "worse.",
        "pp": " points",
        "and": " and ",
    },
    "fr": {
        "latest": "La dernière enquête, {month}, a interrogé {n} personnes du {start} au {end}.",
        "changes": "Depuis {previous}, {count} de manière significative pour l'ensemble des "
        "répondants : {items}.",
        "one": "un indicateur a varié",
        "many": "{k} indicateurs ont varié",
        "none": "Depuis {previous}, aucun indicateur n'a varié de manière significative pour "
        "l'ensemble des répondants.",
        "item": "{name} {change} (significatif dans {groups} groupes)",
        "item_one": "{name} {change}",
        "group": "{group} est le plus touché : {k} variations significatives, dont {down} "
        "défavorables.",
        "pp": " points",
        "and": " et ",
    },
}


def _day(day: dt.date, lang: str) -> str:
    month = fieldwork_month(day, lang).split()[0]
    return f"{day.day} {month} {day.year}"


def _number(value: float, lang: str, decimals: int = 1) -> str:
    text = f"{abs(value):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
    return sign + text


def _count(n: int, lang: str) -> str:
    text = f"{n:,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def headline_sentences(
    rounds: pd.DataFrame,
    changes: pd.DataFrame,
    mission: MissionConfig | None,
    lang: str = "en",
    max_items: int = 3,
    names: dict[str, str] | None = None,
    current: str | None = None,
    previous: str | None = None,
) -> list[str]:
    """Two or three sentences for the top of the Overview (see the module).

    Parameters
    ----------
    rounds:
        :meth:`mande.store.Store.rounds` (round, n_respondents, fieldwork_start, fieldwork_end),
        in fieldwork order.
    changes:
        Significant changes between the last two rounds (indicator, short_name, breakdown, group,
        estimate, unit, verdict), as :func:`mande.overview.significant_changes` returns.
    mission:
        The mission, for the rounds' fieldwork months and the regions' names.
    names:
        ``{indicator: short name}`` in ``lang`` (default: the table's ``short_name``).
    current, previous:
        The rounds the reporting policy compares (:class:`mande.reporting.PeriodComparison`);
        default: the last two rows of ``rounds``.
    """
    from mande.dates import as_date
    from mande.report.build import group_label

    text = _TEXT["fr" if lang == "fr" else "en"]
    if rounds.empty:
        return []
    by_id = rounds.set_index(rounds["round"].astype(str), drop=False)
    latest = by_id.loc[current] if current in by_id.index else rounds.iloc[-1]
    rid = str(latest["round"])
    window = mission.fieldwork.get(rid) if mission is not None else None
    start = as_date(latest.get("fieldwork_start")) or (window[0] if window else None)
    end = as_date(latest.get("fieldwork_end")) or (window[1] if window else None)
    out = [
        text["latest"].format(
            month=round_label(rid, mission, lang, start),
            n=_count(int(latest["n_respondents"]), lang),  # type: ignore[arg-type]
            start=_day(start, lang) if start else "–",
            end=_day(end, lang) if end else "–",
        )
    ]
    if previous is None and current is None and len(rounds) >= 2:
        previous = str(rounds.iloc[-2]["round"])
    if previous is None or previous not in by_id.index:
        return out
    prev = by_id.loc[previous]
    previous = round_label(previous, mission, lang, prev.get("fieldwork_start"))
    if changes.empty:
        return [*out, text["none"].format(previous=previous)]
    total = changes[changes["breakdown"] == "total"]
    total = total.reindex(total["estimate"].abs().sort_values(ascending=False).index)
    if total.empty:
        out.append(text["none"].format(previous=previous))
    else:
        items = []
        for row in total.head(max_items).itertuples():
            groups = int(((changes["indicator"] == row.indicator)
                          & (changes["breakdown"] != "total")).sum())  # fmt: skip
            unit = text["pp"] if str(row.unit).startswith("percentage") else ""
            change = _number(float(row.estimate), lang) + unit  # type: ignore[arg-type]
            key = "item" if groups > 1 else "item_one"
            name = (names or {}).get(str(row.indicator), str(row.short_name))
            items.append(text[key].format(name=name, change=change, groups=groups))
        k = len(total)
        count = text["one"] if k == 1 else text["many"].format(k=k)
        joined = ", ".join(items[:-1]) + text["and"] + items[-1] if len(items) > 1 else items[0]
        out.append(text["changes"].format(previous=previous, count=count, items=joined))
    parts = changes[changes["breakdown"] != "total"]
    if not parts.empty and mission is not None:
        scored = parts.assign(
            size=parts["estimate"].abs(), down=(parts["verdict"] == "deteriorated").astype(int)
        )
        by = scored.groupby(["breakdown", "group"]).agg(
            k=("size", "size"), largest=("size", "max"), down=("down", "sum")
        )
        by = by.sort_values(["k", "largest"], ascending=False)
        best = by.iloc[0]
        breakdown, group = by.index[0]
        if int(best["k"]) > 1:
            label = group_label(str(breakdown), group, mission, lang)
            out.append(text["group"].format(group=label, k=int(best["k"]), down=int(best["down"])))
    return out


def headline_for_store(store: Any, lang: str = "en") -> list[str]:
    """:func:`headline_sentences` from the store's rounds and results."""
    from mande import overview
    from mande.indicators.catalogue import load_catalogue

    rounds = store.rounds()
    if rounds.empty:
        return []
    order = overview.round_order(rounds)
    rounds = rounds.set_index("round").loc[order].reset_index()
    catalogue = load_catalogue()
    # the latest period's change table under the mission's reporting policy (precomputed)
    figures = store.period_figures(lang, catalogue=catalogue)
    changes = overview.significant_changes(
        store.results(catalogue=catalogue), order,
        changes=figures.changes if figures is not None else None, lang=lang,
    )  # fmt: skip
    names = {
        str(i): catalogue.measure(str(i)).name(lang, short=True)
        for i in changes.get("indicator", [])
    }
    return headline_sentences(rounds, changes, store.mission(), lang, names=names)
