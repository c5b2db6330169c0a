"""The field list: the workbook the survey teams take to the field.

Sheets: ``Villages`` (the villages to visit, by region, with the interviews to do and blank columns
for the households listed and interviewed), ``Replacements`` (listed apart, in the order to use
them), ``Allocation`` (interviews, villages and expected margin of error per region) and ``About``
(how the plan was drawn, so that it can be drawn again). Written with openpyxl: values only, no
formula; every text cell is written as text (a name starting with ``=``, ``+``, ``-`` or ``@`` is
stored with Excel's quote prefix and never evaluated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from mande.errors import MandeError
from mande.plan.round_plan import RoundPlan

__all__ = ["write_field_list"]

_TEXT = {
    "en": {
        "villages": "Villages",
        "replacements": "Replacements",
        "allocation": "Allocation",
        "about": "About",
        "no": "No.",
        "region": "Region",
        "admin2": "Admin area",
        "village": "Village",
        "psu": "Village id",
        "area": "Area type",
        "todo": "Interviews to do",
        "census_hh": "Households (census)",
        "certainty": "Taken with certainty",
        "listed": "Households listed",
        "done": "Households interviewed",
        "replaces": "Replaces (village id)",
        "order": "Order of use",
        "notes": "Notes",
        "population": "Population",
        "in_frame": "Villages in frame",
        "target": "Target margin of error (points)",
        "needed": "Interviews needed",
        "to_visit": "Villages to visit",
        "interviews": "Interviews planned",
        "expected": "Expected margin of error (points)",
        "reportable": "Within target",
        "yes": "yes",
        "no_": "no",
        "urban": "urban",
        "rural": "rural",
        "title": "Field list",
        "how_replace": (
            "Use a replacement only when a village cannot be reached or refuses as a whole "
            "(insecurity, access, flooding). Take the replacements of the same region in the order "
            "given, note which village each replaces, and send the note with the data: the plan "
            "file must say which villages were visited."
        ),
        "how_list": (
            "On arrival, list the households of the village, write their number under 'Households "
            "listed', draw the households to interview at random from the list, and after "
            "fieldwork write how many were interviewed."
        ),
    },
    "fr": {
        "villages": "Villages",
        "replacements": "Remplacements",
        "allocation": "Répartition",
        "about": "À propos",
        "no": "N°",
        "region": "Région",
        "admin2": "Zone administrative",
        "village": "Village",
        "psu": "Code du village",
        "area": "Milieu",
        "todo": "Entretiens à réaliser",
        "census_hh": "Ménages (recensement)",
        "certainty": "Retenu d'office",
        "listed": "Ménages dénombrés",
        "done": "Ménages enquêtés",
        "replaces": "Remplace (code du village)",
        "order": "Ordre d'utilisation",
        "notes": "Observations",
        "population": "Population",
        "in_frame": "Villages de la base",
        "target": "Marge d'erreur visée (points)",
        "needed": "Entretiens nécessaires",
        "to_visit": "Villages à visiter",
        "interviews": "Entretiens prévus",
        "expected": "Marge d'erreur attendue (points)",
        "reportable": "Dans la cible",
        "yes": "oui",
        "no_": "non",
        "urban": "urbain",
        "rural": "rural",
        "title": "Liste de terrain",
        "how_replace": (
            "N'utiliser un village de remplacement que si un village ne peut être atteint ou "
            "refuse dans son ensemble (insécurité, accès, inondation). Prendre les remplacements de "
            "la même région dans l'ordre indiqué, noter quel village chacun remplace et joindre la "
            "note aux données : le fichier du plan doit dire quels villages ont été visités."
        ),
        "how_list": (
            "À l'arrivée, dénombrer les ménages du village, inscrire leur nombre sous « Ménages "
            "dénombrés », tirer au hasard dans la liste les ménages à enquêter et, après la "
            "collecte, inscrire combien ont été enquêtés."
        ),
    },
}


def _names(mission: Any, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    regions: dict[str, str] = {}
    admin2: dict[str, str] = {}
    for r in getattr(mission, "regions", ()) or ():
        regions[r.pcode] = r.label(lang)
        for code, names in r.admin2:
            admin2[code] = names.get(lang) or names.get("en") or code
    return regions, admin2


def write_field_list(
    plan: RoundPlan, path: str | Path, *, mission: Any = None, lang: str = "en"
) -> Path:
    """Write the field list of ``plan`` to ``path`` (``.xlsx``) and return the path.

    ``mission`` (a :class:`mande.MissionConfig`) gives region and admin-area names; without it the
    codes in the frame are written. ``lang``: ``"en"`` or ``"fr"``.

    Raises
    ------
    MandeError
        When the saved workbook would hold a formula (never expected: the check guards the rule that
        no output cell is a live formula).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from mande.report._cells import foreign_formulas, put

    tx = _TEXT.get(lang, _TEXT["en"])
    region_names, admin2_names = _names(mission, lang)
    strata = plan.settings["strata"]
    take = int(plan.settings["interviews_per_village"])
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(ws: Any, names: list[str], widths: list[int]) -> None:
        for j, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
            put(ws, 1, j, name, font=bold, fill=head_fill, alignment=wrap)
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = width
        ws.freeze_panes = "A2"

    def get(row: pd.Series, col: str) -> Any:
        v = row.get(col)
        return None if v is None or (isinstance(v, float) and v != v) else v

    def area(value: Any) -> Any:
        return tx.get(str(value), value) if value in ("urban", "rural") else value

    wb = Workbook()
    ws = wb.active
    ws.title = tx["villages"]
    header(
        ws,
        [tx[k] for k in ("no", "region", "admin2", "village", "psu", "area", "todo",
                         "census_hh", "certainty", "listed", "done", "notes")],
        [6, 18, 20, 26, 14, 10, 12, 12, 11, 12, 12, 30],
    )  # fmt: skip
    for i, (_, row) in enumerate(plan.selected.iterrows(), start=2):
        hh = get(row, "households")
        todo = take if hh is None else min(take, round(float(hh)))
        values = [
            i - 1,
            region_names.get(str(row[strata]), row[strata]),
            admin2_names.get(str(get(row, "admin2")), get(row, "admin2")),
            get(row, "village"),
            get(row, "psu"),
            area(get(row, "urban_rural")),
            todo,
            None if hh is None else round(float(hh)),
            tx["yes"] if bool(row["certainty"]) else tx["no_"],
            None,
            None,
            None,
        ]
        for j, v in enumerate(values, start=1):
            put(ws, i, j, v)

    ws = wb.create_sheet(tx["replacements"])
    header(
        ws,
        [tx[k] for k in ("region", "order", "admin2", "village", "psu", "area", "todo",
                         "census_hh", "replaces", "notes")],
        [18, 10, 20, 26, 14, 10, 12, 12, 16, 30],
    )  # fmt: skip
    for i, (_, row) in enumerate(plan.replacements.iterrows(), start=2):
        hh = get(row, "households")
        values = [
            region_names.get(str(row[strata]), row[strata]),
            int(row["replacement_order"]),
            admin2_names.get(str(get(row, "admin2")), get(row, "admin2")),
            get(row, "village"),
            get(row, "psu"),
            area(get(row, "urban_rural")),
            take if hh is None else min(take, round(float(hh))),
            None if hh is None else round(float(hh)),
            None,
            None,
        ]
        for j, v in enumerate(values, start=1):
            put(ws, i, j, v)

    ws = wb.create_sheet(tx["allocation"])
    header(
        ws,
        [tx[k] for k in ("region", "population", "in_frame", "target", "needed", "to_visit",
                         "interviews", "expected", "reportable")],
        [18, 12, 12, 14, 12, 12, 12, 14, 10],
    )  # fmt: skip
    for i, (_, row) in enumerate(plan.allocation.iterrows(), start=2):
        target = row["target_moe"]
        reportable = row["reportable"]
        values = [
            region_names.get(str(row["stratum"]), row["stratum"]),
            float(row["population"]),
            int(row["villages_in_frame"]),
            None if pd.isna(target) else round(float(target) * 100, 1),
            int(row["interviews_needed"]),
            int(row["villages"]),
            int(row["interviews"]),
            round(float(row["expected_moe"]) * 100, 1),
            None if reportable is None or pd.isna(reportable) else
            (tx["yes"] if reportable else tx["no_"]),
        ]  # fmt: skip
        for j, v in enumerate(values, start=1):
            put(ws, i, j, v, number_format="#,##0" if j in (2, 3, 5, 6, 7) else "General")

    ws = wb.create_sheet(tx["about"])
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 90
    s = plan.settings
    about = [
        (tx["title"], s.get("round") or ""),
        ("seed", s["seed"]),
        ("method", s["method"]),
        ("strata", s["strata"]),
        ("size", s["size"] or "(equal probability)"),
        ("sort_by", ", ".join(s["sort_by"])),
        ("interviews_per_village", take),
        ("p", s["p"]),
        ("deff", s["deff"]),
        ("level", s["level"]),
        ("response_rate", s["response_rate"]),
        ("total_interviews", s["total_interviews"]),
        (tx["listed"], tx["how_list"]),
        (tx["replacements"], tx["how_replace"]),
    ]
    for i, (k, v) in enumerate(about, start=1):
        put(ws, i, 1, k, font=bold)
        put(ws, i, 2, v, alignment=wrap)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    found = foreign_formulas(path)
    if found:
        path.unlink()
        raise MandeError(f"the field list would hold formulas ({found[:3]}); nothing was written")
    return path
