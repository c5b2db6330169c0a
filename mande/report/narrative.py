"""The narrative draft: one paragraph per section of the Secretary-General's report (python-docx).

Editorial rules (the report's, applied by :mod:`mande.report.style`):

- percentages in the text are whole numbers with "per cent" / "pour cent";
- each section leads with its significant changes, largest first (then most respondents), then the
  significant group and regional findings (sex, age, region, displacement, disability), at most
  three, largest first, then one sentence for the rest; the survey is introduced once;
- a change is stated ("rose to", "fell to", with its size in percentage points, one decimal) only
  when it is significant after controlling the false discovery rate (the period's one family, from
  :mod:`mande.reporting`); the absence of a significant change is never written as stability;
- an indicator whose estimate is suppressed (too few respondents) is not mentioned;
- dates are written as the report writes them ("from 29 June to 17 July 2026"); a sentence never
  starts with a figure; French uses a decimal comma, non-breaking spaces before "pour cent", in
  thousands and before double punctuation, and « guillemets ».

The paragraphs are built as text first (:func:`narrative_paragraphs`, which tests snapshot) and then
written into a Word document (:func:`write_narrative`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from mande.ingest.sample_design import srs_note
from mande.report._cells import safe_text
from mande.report.build import SECTIONS, ReportData
from mande.report.style import (
    check_lang,
    date_range,
    fr_typography,
    number,
    per_cent,
    percentage_points,
)

__all__ = ["NarrativeParagraph", "narrative_paragraphs", "write_narrative"]


@dataclass(frozen=True)
class NarrativeParagraph:
    """One drafted paragraph: the report section it belongs to, its heading and its text."""

    section: str
    heading: str
    text: str
    notes: tuple[str, ...] = ()


# Subjects of the sentences, per measure id: a noun phrase ("the proportion of ... who ...").
# {m} is the mission's code. French subjects are feminine singular ("la proportion ..."), so that
# "est restée stable" agrees.
SUBJECTS: dict[str, dict[str, str]] = {
    "SAF-01": {
        "en": "the proportion of respondents who felt safe walking alone in their area after dark",
        "fr": "la proportion de personnes interrogées qui se sentaient en sécurité en marchant "
        "seules dans leur quartier la nuit",
    },
    "SAF-02": {
        "en": "the proportion of respondents who felt safe walking alone in their area during "
        "the day",
        "fr": "la proportion de personnes interrogées qui se sentaient en sécurité en marchant "
        "seules dans leur quartier pendant la journée",
    },
    "SAF-03": {
        "en": "the proportion of respondents who considered that security in their area had "
        "improved over the previous three months",
        "fr": "la proportion de personnes interrogées qui estimaient que la sécurité dans leur "
        "zone s'était améliorée au cours des trois mois précédents",
    },
    "VIC-01": {
        "en": "the proportion of victims of crime who reported it to the authorities",
        "fr": "la proportion de victimes d'infractions qui les ont signalées aux autorités",
    },
    "INC-01": {
        "en": "the proportion of respondents who felt that they had a say in what the "
        "Government does",
        "fr": "la proportion de personnes interrogées qui estimaient avoir leur mot à dire sur "
        "l'action du Gouvernement",
    },
    "INC-02": {
        "en": "the proportion of respondents who felt that they had an influence on politics",
        "fr": "la proportion de personnes interrogées qui estimaient avoir une influence sur la "
        "vie politique",
    },
    "INC-03": {
        "en": "the measure of inclusive and responsive decision-making (Sustainable Development "
        "Goal indicator 16.7.2)",
        "fr": "la mesure du caractère inclusif et réactif de la prise de décision (indicateur "
        "16.7.2 des objectifs de développement durable)",
    },
    "DIS-01": {
        "en": "the proportion of respondents who reported having felt discriminated against or "
        "harassed in the previous 12 months",
        "fr": "la proportion de personnes interrogées qui ont déclaré s'être senties victimes de "
        "discrimination ou de harcèlement au cours des 12 mois précédents",
    },
    "SRV-01.health": {
        "en": "the proportion of respondents satisfied with health services",
        "fr": "la proportion de personnes interrogées satisfaites des services de santé",
    },
    "SRV-01.education": {
        "en": "the proportion of respondents satisfied with public education",
        "fr": "la proportion de personnes interrogées satisfaites de l'enseignement public",
    },
    "SRV-01.admin": {
        "en": "the proportion of respondents satisfied with administrative services",
        "fr": "la proportion de personnes interrogées satisfaites des services administratifs",
    },
    "TRU-01.police": {
        "en": "the proportion of respondents who trusted the police",
        "fr": "la proportion de personnes interrogées qui faisaient confiance à la police",
    },
    "TRU-01.courts": {
        "en": "the proportion of respondents who trusted the courts",
        "fr": "la proportion de personnes interrogées qui faisaient confiance aux tribunaux",
    },
    "TRU-01.local_admin": {
        "en": "the proportion of respondents who trusted the local administration",
        "fr": "la proportion de personnes interrogées qui faisaient confiance à l'administration "
        "locale",
    },
    "TRU-01.army": {
        "en": "the proportion of respondents who trusted the national army",
        "fr": "la proportion de personnes interrogées qui faisaient confiance à l'armée nationale",
    },
    "TRU-01": {
        "en": "the proportion of respondents who trusted State institutions",
        "fr": "la proportion de personnes interrogées qui faisaient confiance aux institutions de "
        "l'État",
    },
    "ID-01": {
        "en": "the proportion of respondents who identified at least as much with the nation as "
        "with their own group",
        "fr": "la proportion de personnes interrogées qui s'identifiaient au moins autant à la "
        "nation qu'à leur propre groupe",
    },
    "COH-01": {
        "en": "the proportion of respondents who felt that their group was often or always "
        "treated unfairly by the Government",
        "fr": "la proportion de personnes interrogées qui estimaient que leur groupe était "
        "souvent ou toujours traité injustement par le Gouvernement",
    },
    "MIS-01": {
        "en": "the proportion of respondents satisfied with the work of {m}",
        "fr": "la proportion de personnes interrogées satisfaites du travail de la {m}",
    },
    "MIS-02": {
        "en": "the proportion of respondents in favour of {m} staying",
        "fr": "la proportion de personnes interrogées favorables au maintien de la {m}",
    },
    "MIS-03": {
        "en": "the proportion of respondents who agreed that {m} treated all communities equally",
        "fr": "la proportion de personnes interrogées qui estimaient que la {m} traitait toutes "
        "les communautés sur un pied d'égalité",
    },
    "MIS-04": {
        "en": "the proportion of respondents who would warn {m} of a threat",
        "fr": "la proportion de personnes interrogées qui avertiraient la {m} d'une menace",
    },
}

T: dict[str, dict[str, str]] = {
    "en": {
        "title": "Draft paragraphs for the report of the Secretary-General",
        "covering": "{mission}: period {period}",
        "intro_rounds": "According to the perception survey conducted by {m} {dates} among {n} "
        "respondents, ",
        "rose": "{subject} rose to {value}, an increase of {pp}",
        "fell": "{subject} fell to {value}, a decrease of {pp}",
        "compared": " compared with the period {prev}",
        "stood": "{subject} stood at {value}",
        "openers": "The survey also found that |Over the same period, |Survey results showed "
        "that |In addition, ",
        "others_unchanged": "Other indicators in this section showed no statistically "
        "significant change compared with the period {prev}.",
        "none_changed": "None of the indicators in this section showed a statistically "
        "significant change for respondents as a whole compared with the period {prev}.",
        "it_unchanged": "The change compared with the period {prev} was not statistically "
        "significant.",
        "note_others": "no significant change: {ids}",
        "groups_only": "differences between groups of respondents stood out.",
        "no_survey": "No perception survey was conducted in the period {period}; this section "
        "draws on interviews with the mission's partners.",
        "note_change": "; change {d} (adjusted CI {lo} to {hi}), q = {q}",
        "note_head": "Drafting note (figures in per cent or points, 95 per cent CI in brackets; "
        "annex summary and breakdown sheets): ",
        "generic": 'the value of the indicator "{name}"',
        "partners": "Interviews with {n} partners of the mission during the period rated the "
        "quality of their relationship with {m} between {low} out of 100 ({low_type}) and "
        "{high} out of 100 ({high_type}).",
        "partners_one": "Interviews with {n} partners of the mission during the period rated the "
        "quality of their relationship with {m} at {value} out of 100 ({type}).",
        "note": "Drafting note: figures are taken from the annex produced by mande {version} on "
        "{date}. An increase or decrease is stated only when the change since the previous period ({prev}) is "
        "statistically significant after controlling the false discovery rate at {fdr} per cent "
        "(Benjamini–Hochberg) over {family}; other indicators are summed up as showing no "
        "statistically significant change, which is not evidence that they were stable. Estimates based on fewer respondents than the indicator's minimum are not cited.",
        "note_noprev": "Drafting note: figures are taken from the annex produced by mande "
        "{version} on {date}. No earlier period has a survey round, so no change is stated. "
        "Estimates based on fewer respondents than the indicator's minimum are not cited.",
        "note_nosurvey": "Drafting note: figures are taken from the annex produced by mande "
        "{version} on {date}. No survey round fell in this period: only the partner sections are "
        "drafted.",
        "points": "points",
        "partners_small": "Figures for {types} rest on fewer than {partners} partners or "
        "{interviews} interviews and are not compared.",
        "robust_window": "(Data: {window}.)",
    },
    "fr": {
        "title": "Projet de paragraphes pour le rapport du Secrétaire général",
        "covering": "{mission} : période {period}",
        "intro_rounds": "Selon l'enquête de perception menée par la {m} {dates} auprès de {n} "
        "personnes, ",
        "rose": "{subject} est passée à {value}, soit une hausse de {pp}",
        "fell": "{subject} est tombée à {value}, soit une baisse de {pp}",
        "compared": " par rapport à la période {prev}",
        "stood": "{subject} s'établissait à {value}",
        "openers": "L'enquête a également montré que |Au cours de la même période, |Selon les "
        "résultats de l'enquête, |En outre, ",
        "others_unchanged": "Les autres indicateurs de cette section n'ont pas connu de "
        "variation statistiquement significative par rapport à la période {prev}.",
        "none_changed": "Aucun des indicateurs de cette section n'a connu de variation "
        "statistiquement significative pour l'ensemble des personnes interrogées par rapport "
        "à la période {prev}.",
        "it_unchanged": "La variation par rapport à la période {prev} n'était pas "
        "statistiquement significative.",
        "note_others": "pas de variation significative : {ids}",
        "groups_only": "des écarts entre groupes de personnes interrogées sont apparus.",
        "no_survey": "Aucune enquête de perception n'a été menée au cours de la période {period} ; "
        "cette section s'appuie sur les entretiens avec les partenaires de la mission.",
        "note_change": " ; variation {d} (IC ajusté {lo} à {hi}), q = {q}",
        "note_head": "Note de rédaction (chiffres en pour cent ou en points, IC à 95 pour cent "
        "entre crochets ; feuilles de synthèse et de ventilation de l'annexe) : ",
        "generic": "la valeur de l'indicateur « {name} »",
        "partners": "Les entretiens menés pendant la période avec {n} partenaires de la mission "
        "ont situé la qualité de leur relation avec la {m} entre {low} sur 100 ({low_type}) et "
        "{high} sur 100 ({high_type}).",
        "partners_one": "Les entretiens menés pendant la période avec {n} partenaires de la "
        "mission ont situé la qualité de leur relation avec la {m} à {value} sur 100 ({type}).",
        "note": "Note de rédaction : les chiffres proviennent de l'annexe produite par mande "
        "{version} le {date}. Une hausse ou une baisse n'est mentionnée que si la variation "
        "depuis la période précédente ({prev}) est statistiquement significative après contrôle du taux de "
        "fausses découvertes à {fdr} pour cent (Benjamini-Hochberg) sur {family} ; les autres indicateurs "
        "sont résumés comme n'ayant pas connu de variation significative, ce qui ne prouve pas "
        "leur stabilité. Les estimations fondées sur moins de répondants que le minimum de "
        "l'indicateur ne sont pas citées.",
        "note_noprev": "Note de rédaction : les chiffres proviennent de l'annexe produite par "
        "mande {version} le {date}. Aucune période antérieure ne comporte d'enquête : aucune "
        "variation n'est mentionnée. Les estimations fondées sur moins de répondants que le "
        "minimum de l'indicateur ne sont pas citées.",
        "note_nosurvey": "Note de rédaction : les chiffres proviennent de l'annexe produite par "
        "mande {version} le {date}. Aucune enquête ne s'est déroulée pendant cette période : seules "
        "les sections relatives aux partenaires sont rédigées.",
        "points": "points",
        "partners_small": "Les chiffres relatifs aux {types} reposent sur moins de {partners} "
        "partenaires ou {interviews} entretiens et ne sont pas comparés.",
        "robust_window": "(Données : {window}.)",
    },
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _subject(rec: pd.Series, data: ReportData, lang: str) -> str:
    entry = SUBJECTS.get(str(rec["indicator"]))
    if entry:
        return entry[lang].format(m=data.mission_code)
    return T[lang]["generic"].format(name=str(rec[f"name_{lang}"]))


def _value(rec: pd.Series, lang: str) -> str:
    if str(rec.get("unit") or "percent") == "percent":
        return per_cent(float(rec["estimate"]), lang)
    return number(float(rec["estimate"]), lang, 1)


def _is_percent(rec: pd.Series) -> bool:
    return str(rec.get("unit") or "percent") == "percent"


def _size(d: float, rec: pd.Series, lang: str) -> str:
    if _is_percent(rec):
        return percentage_points(d, lang)
    return f"{number(abs(d), lang, 1)}\u00a0{T[lang]['points']}"


def _has_change(rec: pd.Series) -> bool:
    change = rec.get("change")
    return change is not None and not pd.isna(change) and float(change) != 0


def _clause(
    rec: pd.Series, subject: str, data: ReportData, lang: str, *, with_period: bool = True
) -> str:
    """ "{subject} rose to 44 per cent, an increase of 5.1 percentage points compared with the
    period from ... to ..." for a significant change, "{subject} stood at 44 per cent" otherwise
    (the absence of a significant change is never written as stability)."""
    t = T[lang]
    value = _value(rec, lang)
    if data.previous is None or not bool(rec.get("significant")) or not _has_change(rec):
        return t["stood"].format(subject=subject, value=value)
    d = float(rec["change"])
    key = "rose" if d > 0 else "fell"
    text = t[key].format(subject=subject, value=value, pp=_size(d, rec, lang))
    if with_period:
        text += t["compared"].format(prev=data.previous.label(lang))
    return text


def _current_is_srs(data: ReportData) -> bool:
    """Whether the current round was read without a sample design (design type srs)."""
    if "design" not in data.sources:
        return False
    return bool((data.sources.loc[data.sources["role"] == "current", "design"] == "srs").any())


def _fieldwork(data: ReportData, lang: str) -> tuple[str, str]:
    src = data.sources[data.sources["role"] == "current"]
    if src.empty:
        return "", ""
    rec = src.iloc[0]
    start = pd.Timestamp(rec["fieldwork_start"]).date()
    end = pd.Timestamp(rec["fieldwork_end"]).date()
    n = "" if pd.isna(rec["n"]) else number(float(rec["n"]), lang)
    return date_range(start, end, lang), n


#: How a group finding opens, per breakdown and language ({label} is the group's label).
GROUP_OPENERS: dict[str, dict[str, str]] = {
    "sex": {"en": "Among {lower}", "fr": "Chez les {lower}"},
    "age_group": {"en": "Among respondents aged {label}", "fr": "Dans la tranche d'âge {label}"},
    "region": {"en": "In {label}", "fr": "Dans la région de {label}"},
    "urban_rural": {"en": "In {lower} areas", "fr": "En milieu {lower}"},
    "displacement": {"en": "Among {plural}", "fr": "Chez les {plural}"},
    "disability": {"en": "Among respondents {lower}", "fr": "Chez les personnes {lower}"},
}

#: Plural nouns of displacement groups (the annex's labels are column headings).
GROUP_PLURALS: dict[str, dict[str, str]] = {
    "resident": {"en": "residents", "fr": "résidents"},
    "displaced": {"en": "internally displaced persons", "fr": "personnes déplacées"},
    "returnee": {"en": "returnees", "fr": "rapatriés"},
}

#: At most this many group or regional findings per section, largest first.
MAX_GROUP_FINDINGS = 3


def _group_findings(section: str, data: ReportData) -> list[tuple[str, pd.Series]]:
    """Significant, unsuppressed group changes (after the period's one FDR family) of the
    section's measures, largest change first, then the larger group."""
    ids = set(data.indicators.loc[data.indicators["sg_section"] == section, "indicator"])
    found: list[tuple[str, pd.Series]] = []
    for b, table in data.breakdowns.items():
        if table is None or table.empty or "significant" not in table.columns:
            continue
        rows = table[
            table["indicator"].isin(ids)
            & table["significant"].fillna(False).astype(bool)
            & ~table["suppressed"].fillna(False).astype(bool)
            & table["change"].notna()
        ]
        found.extend((str(b), r) for _, r in rows.iterrows())
    found.sort(key=lambda br: (-abs(float(br[1]["change"])), -float(br[1].get("n") or 0)))
    return found[:MAX_GROUP_FINDINGS]


def _group_opener(breakdown: str, rec: pd.Series, lang: str) -> str:
    label = str(rec.get(f"group_{lang}") or rec["group"])
    lower = _lower_label(label)
    plural = GROUP_PLURALS.get(str(rec["group"]).lower(), {}).get(lang, lower)
    forms = GROUP_OPENERS.get(breakdown)
    if forms is None:
        return f"{label} :" if lang == "fr" else f"{label}:"
    return forms[lang].format(label=label, lower=lower, plural=plural)


def _group_sentence(breakdown: str, rec: pd.Series, data: ReportData, lang: str) -> str:
    subject = _subject(rec, data, lang)
    if lang == "en":
        subject = subject.replace("the proportion of respondents ", "the proportion ", 1)
    clause = _clause(rec, subject, data, lang, with_period=False)
    return f"{_group_opener(breakdown, rec, lang)}, {clause}."


def _rank(part: pd.DataFrame) -> pd.DataFrame:
    """Significant changes first, largest (then broadest: most respondents) first."""
    sig = part["significant"].fillna(False).astype(bool) & part["change"].notna()
    size = part["change"].abs().fillna(0)
    n = pd.to_numeric(part["n"], errors="coerce").fillna(0) if "n" in part.columns else 0
    return part.assign(_sig=sig, _size=size, _n=n).sort_values(
        ["_sig", "_size", "_n"], ascending=[False, False, False], kind="stable"
    )


def _section_text(
    part: pd.DataFrame, section: str, data: ReportData, lang: str, state: dict[str, int]
) -> tuple[str, list[str]]:
    """A section's paragraph and its drafting note's figures.

    ``state`` carries what the document already said: whether the survey was introduced
    (``intro``) and which opener comes next (``opener``).
    """
    t = T[lang]
    sentences: list[str] = []
    notes: list[str] = []
    dates, n = _fieldwork(data, lang)
    ranked = _rank(part) if not part.empty else part
    sig = ranked[ranked["_sig"]] if not part.empty else part
    rest = ranked[~ranked["_sig"]] if not part.empty else part
    compared = data.previous is not None

    def lead(text: str) -> str:
        if not state.get("intro") and dates and n:
            state["intro"] = 1
            if _current_is_srs(data):  # said once, right after the survey is introduced
                state["srs"] = 1
            return t["intro_rounds"].format(m=data.mission_code, dates=dates, n=n) + text
        openers = t["openers"].split("|")
        k = state.get("opener", 0)
        state["opener"] = k + 1
        return openers[k % len(openers)] + text

    cited = sig if compared else ranked
    for i, (_, rec) in enumerate(cited.iterrows()):
        clause = _clause(rec, _subject(rec, data, lang), data, lang, with_period=(i == 0))
        sentences.append(_cap(lead(clause) if i == 0 else clause) + ".")
        notes.append(_note_figure(rec, "total", data, lang))
    groups = _group_findings(section, data) if compared else []
    closing: list[str] = []
    if compared and not rest.empty:
        prev = data.previous.label(lang)  # type: ignore[union-attr]
        if sig.empty:
            # nothing changed for respondents as a whole: the section's first measure as it
            # stands, one sentence for the rest, then the group findings
            first = rest.iloc[0]
            stood = t["stood"].format(
                subject=_subject(first, data, lang), value=_value(first, lang)
            )
            sentences.append(_cap(lead(stood)) + ".")
            notes.append(_note_figure(first, "total", data, lang))
            sentences.append(
                t["none_changed" if len(rest) > 1 else "it_unchanged"].format(prev=prev)
            )
        else:
            closing.append(t["others_unchanged"].format(prev=prev))
        notes.append(t["note_others"].format(ids=", ".join(str(i) for i in rest["indicator"])))
    elif not sentences and groups:
        sentences.append(_cap(lead(t["groups_only"])))
    for b, rec in groups:
        sentences.append(_group_sentence(b, rec, data, lang))
        notes.append(_note_figure(rec, b, data, lang))
    if state.get("srs") == 1 and sentences:
        sentences.insert(1, _cap(srs_note(lang)) + ".")
        state["srs"] = 2
    return " ".join(sentences + closing), notes


def _note_figure(rec: pd.Series, breakdown: str, data: ReportData, lang: str) -> str:
    """One figure of a drafting note: the measure, group, value with its interval, and the
    change with its adjusted interval and q-value (the annex's figures)."""
    pct = _is_percent(rec)
    scale, dec = (100.0, 1) if pct else (1.0, 1)

    def f(v: Any) -> str:
        return number(float(v) * scale, lang, dec) if v is not None and not pd.isna(v) else "–"

    who = str(rec["indicator"])
    if breakdown != "total":
        who += f" ({rec.get(f'group_{lang}') or rec['group']})"
    text = f"{who}: {f(rec['estimate'])} [{f(rec.get('ci_low'))}; {f(rec.get('ci_high'))}]"
    if data.previous is not None and rec.get("change") is not None and not pd.isna(rec["change"]):
        q = rec.get("q_value")
        qs = number(float(q), lang, 3) if q is not None and not pd.isna(q) else "–"
        text += T[lang]["note_change"].format(
            d=f(rec["change"]), lo=f(rec.get("change_ci_low")), hi=f(rec.get("change_ci_high")),
            q=qs,
        )  # fmt: skip
    return text


def _partners_text(data: ReportData, lang: str) -> str:
    pi = data.partners
    if pi is None:
        return ""
    parts: list[str] = []
    rqi = pi.rqi
    if rqi is not None and not rqi.empty and "rqi" in rqi.columns:
        from mande.report.annex import _partner_label

        rated = rqi.dropna(subset=["rqi"])
        # figures resting on few partners or interviews are never ranked (mande's flag)
        small = (
            rated["small"].fillna(False).astype(bool)
            if "small" in rated.columns
            else pd.Series(False, index=rated.index)
        )
        ok = rated[~small].sort_values("rqi")
        n = pi.n_interviews if pi.n_interviews is not None else int(rated["n"].sum())
        if len(ok) == 1:
            rec = ok.iloc[0]
            parts.append(
                T[lang]["partners_one"].format(
                    n=number(n, lang),
                    m=data.mission_code,
                    value=number(float(rec["rqi"]), lang),
                    type=_partner_label(data, str(rec["partner_type"]), lang).lower(),
                )
            )
        elif len(ok) > 1:
            lo, hi = ok.iloc[0], ok.iloc[-1]
            parts.append(
                T[lang]["partners"].format(
                    n=number(n, lang),
                    m=data.mission_code,
                    low=number(float(lo["rqi"]), lang),
                    high=number(float(hi["rqi"]), lang),
                    low_type=_lower_label(_partner_label(data, str(lo["partner_type"]), lang)),
                    high_type=_lower_label(_partner_label(data, str(hi["partner_type"]), lang)),
                )
            )
        if small.any():
            names = [
                _lower_label(_partner_label(data, str(x), lang))
                for x in rated.loc[small, "partner_type"]
            ]
            parts.append(
                T[lang]["partners_small"].format(
                    types=_and(names, lang),
                    partners=data.policy.min_partners,
                    interviews=data.policy.min_interviews,
                )
            )
    if pi.robust:
        sentence = pi.robust.get(f"sentence_{lang}") or pi.robust.get("sentence_en")
        if sentence:
            window = pi.robust.get(f"window_{lang}")
            text = safe_text(str(sentence)).strip()
            if window:
                text += " " + T[lang]["robust_window"].format(window=window)
            parts.append(text)
    return " ".join(parts)


def _and(names: list[str], lang: str) -> str:
    word = " et " if lang == "fr" else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + word + names[-1]


def _lower_label(label: str) -> str:
    """Lower-case a label's first word unless it is an acronym or a proper name ("UN")."""
    first, _, rest = label.partition(" ")
    if first.isupper() or (first[:1].isupper() and first[1:2].isupper()):
        return label
    return (first[:1].lower() + first[1:] + (" " + rest if rest else "")).strip()


def narrative_paragraphs(data: ReportData, lang: str | None = None) -> list[NarrativeParagraph]:
    """The draft's paragraphs as text, one per SG-report section that has something to say.

    The last paragraph (section ``"note"``) is a drafting note for the officer: where the figures
    come from and the rule applied to changes.
    """
    lang = check_lang(lang or data.lang)
    out: list[NarrativeParagraph] = []
    usable = data.summary[~data.summary["suppressed"].astype(bool)]
    finite = [v is not None and math.isfinite(float(v)) for v in usable["estimate"]]
    usable = usable[pd.Series(finite, index=usable.index, dtype=bool)]
    # A variant (TRU-01.police) is cited when its indicator has no headline figure of its own, or
    # when its own change is significant.
    headline = set(usable["indicator"])
    sig = usable["significant"].fillna(False).astype(bool)
    keep = [
        "." not in str(i) or str(i).split(".", 1)[0] not in headline or bool(s)
        for i, s in zip(usable["indicator"], sig, strict=True)
    ]
    usable = usable[pd.Series(keep, index=usable.index, dtype=bool)]
    state: dict[str, int] = {}
    for section, heading in SECTIONS.items():
        part = usable[usable["sg_section"] == section]
        texts: list[str] = []
        notes: list[str] = []
        if not part.empty or (data.previous is not None and _group_findings(section, data)):
            body, notes = _section_text(part, section, data, lang, state)
            texts.append(body)
        if section == "partnerships":
            extra = _partners_text(data, lang)
            if extra:
                if data.current_round is None:  # a period with interviews and no survey
                    texts.append(T[lang]["no_survey"].format(period=data.period.label(lang)))
                texts.append(extra)
        text = " ".join(t for t in texts if t)
        if text:
            if lang == "fr":
                text = fr_typography(text)
            note = (T[lang]["note_head"] + "; ".join(notes) + ".") if notes else ""
            if lang == "fr" and note:
                note = fr_typography(note)
            out.append(NarrativeParagraph(section, heading[lang], text, (note,) if note else ()))
    t = T[lang]
    when = data.produced_at.date()
    from mande.report.style import date_text

    if data.current_round is None:
        note = t["note_nosurvey"].format(version=data.mande_version, date=date_text(when, lang))
    elif data.previous is not None:
        prev = data.previous.title(lang)
        note = t["note"].format(
            version=data.mande_version,
            date=date_text(when, lang),
            prev=prev,
            fdr=number(data.fdr * 100, lang),
            family=data.policy.family_text(lang),
        )
    else:
        note = t["note_noprev"].format(version=data.mande_version, date=date_text(when, lang))
    if lang == "fr":
        note = fr_typography(note)
    out.append(NarrativeParagraph("note", "", note))
    return out


def _set_language(doc: Any, lang: str) -> None:
    tag = "fr-FR" if lang == "fr" else "en-GB"
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        rpr = style.element.get_or_add_rPr()
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        el = OxmlElement("w:lang")
        el.set(qn("w:val"), tag)
        el.set(qn("w:eastAsia"), tag)
        rpr.append(el)


#: The Word style of the drafting notes under each paragraph (small, grey; delete before filing).
NOTE_STYLE = "Drafting Note"


def write_narrative(
    data: ReportData, path: str | Path, lang: str | None = None, *, numbered: bool = True
) -> Path:
    """Write the narrative draft (.docx) for ``data`` to ``path`` and return the path.

    One heading (Word's "Heading 2") and one paragraph per SG-report section with something to
    say, each followed by its drafting note (style "Drafting Note": the figures and tests behind
    it), then the general drafting note. Paragraphs use Word's own numbering ("List Number"), so
    that they renumber in the Secretary-General's report template; ``numbered=False`` writes them
    in "Normal".
    """
    lang = check_lang(lang or data.lang)
    path = Path(path)
    paragraphs = narrative_paragraphs(data, lang)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.0
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 12)):
        st = doc.styles[name]
        st.font.name = "Times New Roman"
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.font.bold = True
        st.font.italic = False
    _set_language(doc, lang)
    note_style = doc.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note_style.base_style = normal
    note_style.font.size = Pt(9)
    note_style.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    note_style.paragraph_format.left_indent = Cm(0.63)
    t = T[lang]

    def typo(text: str) -> str:  # every French string of the draft takes French typography
        return fr_typography(text) if lang == "fr" else text

    doc.add_paragraph(typo(t["title"]), style="Title")
    mission = data.mission_name.get(lang) or data.mission_code
    covering = t["covering"].format(mission=mission, period=data.period.label(lang))
    sub = doc.add_paragraph(typo(covering))
    sub.runs[0].italic = True
    for para in paragraphs:
        if para.section == "note":
            p = doc.add_paragraph()
            run = p.add_run(safe_text(typo(para.text)))
            run.italic = True
            run.font.size = Pt(10)
            continue
        doc.add_paragraph(typo(para.heading), style="Heading 2")
        # Word's own numbering ("List Number"), so that the paragraphs take the report's numbers
        # when pasted into the Secretary-General's report template
        p = doc.add_paragraph(safe_text(typo(para.text)), style="List Number" if numbered else None)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for note in para.notes:
            n = doc.add_paragraph(style=NOTE_STYLE)
            n.add_run(safe_text(typo(note)))
    props = doc.core_properties
    props.title = typo(f"{t['title']} – {data.mission_code} – {data.period.title(lang)}")
    props.author = data.produced_by
    props.language = "fr-FR" if lang == "fr" else "en-GB"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def paragraphs_text(paragraphs: Sequence[NarrativeParagraph]) -> str:
    """The paragraphs as plain text (headings, then text), for snapshots and review."""
    out = []
    for p in paragraphs:
        out.append(f"## {p.heading or p.section}")
        out.append(p.text)
        out.extend(f"> {n}" for n in p.notes)
        out.append("")
    return "\n".join(out)
