"""The Excel annex to the Secretary-General's report, written with openpyxl.

Sheets, in order: cover; summary by SG-report section; one sheet per breakdown present in the data
(sex, age group, region, urban/rural, displacement, disability); headline trends with a native line
chart; partners (relationship-quality index, reliability, robust-context model, consented quotes);
methods and notes.

Conventions: proportions are written as numbers (0-1) with the format ``0.0%``; changes between
periods in percentage points, as numbers with one decimal; a suppressed estimate is shown as "–"
with a footnote; header rows are frozen and repeated on every printed page; pages are A4 landscape,
fitted to the page width. Every text from users is written through :func:`mande.report._cells.put`,
never as a formula, and the saved file is checked for formulas the toolkit did not write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mande.errors import MandeError
from mande.ingest.sample_design import srs_note
from mande.report._cells import SUPPRESSED, foreign_formulas, put
from mande.report.build import BREAKDOWNS, SECTIONS, ReportData
from mande.report.style import check_lang, clean_zero, date_range, date_text, fr_typography, number
from mande.reporting.notes import NoteContext, notes_text, row_notes

__all__ = ["describe_annex", "write_annex"]

FONT = "Arial"
UN_BLUE = "009EDB"
DARK = "1F3864"
SECTION_FILL = "DDEBF7"
GRID = "BFBFBF"

PCT = "0.0%"
PP = "+0.0;-0.0;0.0"
MEAN = "0.00"
MEAN_CHANGE = "+0.00;-0.00;0.00"
COUNT = "#,##0"
PVAL = "0.000"
INDEX = "0.0"
SCORE = "0.00"

L: dict[str, dict[str, str]] = {
    "en": {
        "cover": "Cover",
        "summary": "Summary",
        "summary_title": "Summary of indicators by section of the report",
        "changes": "Changes",
        "no_survey": "No survey round fell in this period ({period}): this annex reports the "
        "partner interviews only.",
        "changes_title": "Changes since the previous period, with their tests",
        "trends": "Trends",
        "partners": "Partners",
        "methods": "Methods and notes",
        "annex_title": "Annex: people-centric indicators",
        "annex_sub": "Perception survey and partner-relationship indicators for the report of the "
        "Secretary-General",
        "mission": "Mission",
        "country": "Country",
        "period": "Reporting period",
        "compared": "Compared with",
        "none": "No earlier period with a survey round",
        "produced_by": "Produced by",
        "produced_on": "Produced on",
        "version": "mande version",
        "data_versions": "Data versions",
        "sources": "Data sources",
        "source": "Source",
        "survey": "Perception survey",
        "interviews": "Partner interviews",
        "round": "Round",
        "label": "Label",
        "fieldwork": "Fieldwork",
        "sample": "Sample (n)",
        "data_version": "Data version",
        "file": "File",
        "role": "Used as",
        "current": "This period",
        "previous": "Previous period",
        "not_used": "Listed only (an earlier round of this period)",
        "contents": "Contents",
        "privacy": "No personal data: respondents and partners are not identifiable from this "
        "annex. Quotes are shown only with the partner's consent.",
        "id": "ID",
        "indicator": "Indicator",
        "group": "Group",
        "value": "Value",
        "ci_low": "95% CI low",
        "ci_high": "95% CI high",
        "prev_value": "Previous period",
        "change": "Change (pp)",
        "change_ci_low": "Change CI low (FCR-adj.)",
        "change_ci_high": "Change CI high (FCR-adj.)",
        "change_unadj_low": "Change 95% CI low, unadjusted (analysts)",
        "change_unadj_high": "Change 95% CI high, unadjusted (analysts)",
        "q": "p (FDR-adj.)",
        "assessment": "Assessment",
        "n": "n",
        "notes": "Notes",
        "improved": "Improved",
        "deteriorated": "Deteriorated",
        "stable": "No significant change",
        "no_previous": "No comparison",
        "fn_suppressed": "– Estimate suppressed: fewer respondents than the indicator's minimum "
        "(n < {min_n} by default) answered.",
        "fn_change": "Change since the previous period ({prev}) in percentage points (pp). "
        "Improved / Deteriorated only when the change is significant after controlling the "
        "false discovery rate at {fdr} (Benjamini–Hochberg) over one family: {family} ({m} "
        "comparisons); otherwise no significant change. The change's interval is "
        "false-coverage-rate adjusted (Benjamini–Yekutieli; {level} level), so that it excludes "
        "zero exactly when the change is significant; the unadjusted 95% interval is given for "
        "analysts and is not a test.",
        "small_partners": "Small numbers (fewer than {partners} partners or {interviews} "
        "interviews): for information, not compared",
        "few_units": "Fewer than {units} interviews double-coded: too few to judge agreement",
        "robust_window": "Data: {window}.",
        "fn_ci": "95% CI: confidence interval accounting for the survey design (logit interval "
        "for proportions).",
        "by": "Breakdown: {what}",
        "trend_title": "Headline indicators, per cent of respondents",
        "trend_table": "Headline indicators by reporting period (per cent of respondents)",
        "period_col": "Reporting period",
        "slopes_title": "Linear trend per survey round, overall and by region (design-based)",
        "slope": "Slope (pp per round)",
        "all_regions": "All regions",
        "its_title": "Interrupted time series around {event} ({date})",
        "term": "Term",
        "its_estimate": "Estimate",
        "level_change": "Level change (pp)",
        "slope_change": "Slope change (pp per round)",
        "pre_trend": "Trend before (pp per round)",
        "pre_trend_difference": "Difference in earlier trend (pp per round)",
        "model": "Model",
        "comparison group": "Against the other regions",
        "single series": "Single series",
        "caveat": "Caveat",
        "fn_slopes": "Slope: change per survey round from a design-based linear model of the "
        "stacked rounds up to this period (percentage points per round for proportions), with its "
        "{level} confidence interval; Improved / Deteriorated only when significant after "
        "false-discovery-rate control across the rows of the indicator (Benjamini–Hochberg). The "
        "same figures as the dashboard's Trends page.",
        "no_models": "The trend models need the survey rounds themselves (a report built from a "
        "store) and two rounds or more up to this period.",
        "not_estimable": "{indicator}: no trend model ({why})",
        "rqi_title": "Relationship quality by partner type",
        "partner_type": "Partner type",
        "rqi": "RQI (0–100)",
        "interviews_n": "Interviews (n)",
        "reliability": "Reliability between coders (Krippendorff's alpha, ordinal)",
        "dimension": "Dimension",
        "alpha": "Alpha",
        "units": "Interviews double-coded",
        "coders": "Coders",
        "robust": "Robust operations and relationship quality (mixed model)",
        "estimate": "Difference (RQI points)",
        "p": "p",
        "quotes": "Selected quotes (with consent)",
        "quote": "Quote",
        "no_partners": "No partner interviews were coded in this period.",
        "fn_rqi": "RQI: mean of trust, mutual benefit and cooperation, rescaled 0–100. Dimensions "
        "are mean scores from 1 (poor) to 5 (strong).",
        "methods_title": "Methods and notes",
        "definitions": "Indicator definitions",
        "section": "SG-report section",
        "definition": "Definition",
        "nonsub": "Non-substantive answers",
        "polarity": "Higher is",
        "up": "better",
        "down": "worse",
        "min_n": "Minimum n",
        "topic": "Topic",
        "text": "Note",
        "page": "Page &P of &N",
    },
    "fr": {
        "cover": "Couverture",
        "summary": "Synthèse",
        "summary_title": "Synthèse des indicateurs par section du rapport",
        "changes": "Variations",
        "no_survey": "Aucune enquête ne s'est déroulée pendant cette période ({period}) : "
        "cette annexe ne présente que les entretiens avec les partenaires.",
        "changes_title": "Variations depuis la période précédente et leurs tests",
        "trends": "Tendances",
        "partners": "Partenaires",
        "methods": "Méthodes et notes",
        "annex_title": "Annexe : indicateurs centrés sur les populations",
        "annex_sub": "Indicateurs de l'enquête de perception et des relations avec les partenaires "
        "pour le rapport du Secrétaire général",
        "mission": "Mission",
        "country": "Pays",
        "period": "Période considérée",
        "compared": "Comparée à",
        "none": "Aucune période antérieure avec une enquête",
        "produced_by": "Produit par",
        "produced_on": "Produit le",
        "version": "Version de mande",
        "data_versions": "Versions des données",
        "sources": "Sources des données",
        "source": "Source",
        "survey": "Enquête de perception",
        "interviews": "Entretiens avec les partenaires",
        "round": "Vague",
        "label": "Libellé",
        "fieldwork": "Collecte",
        "sample": "Échantillon (n)",
        "data_version": "Version des données",
        "file": "Fichier",
        "role": "Utilisée comme",
        "current": "Période considérée",
        "previous": "Période précédente",
        "not_used": "Mentionnée seulement (vague antérieure de la période)",
        "contents": "Contenu",
        "privacy": "Aucune donnée personnelle : les personnes interrogées et les partenaires ne "
        "sont pas identifiables à partir de cette annexe. Les citations ne figurent qu'avec le "
        "consentement du partenaire.",
        "id": "Code",
        "indicator": "Indicateur",
        "group": "Groupe",
        "value": "Valeur",
        "ci_low": "IC 95 % bas",
        "ci_high": "IC 95 % haut",
        "prev_value": "Période précédente",
        "change": "Variation (pts)",
        "change_ci_low": "Variation IC bas (ajusté FCR)",
        "change_ci_high": "Variation IC haut (ajusté FCR)",
        "change_unadj_low": "Variation IC 95 % bas, non ajusté (analystes)",
        "change_unadj_high": "Variation IC 95 % haut, non ajusté (analystes)",
        "q": "p (ajusté FDR)",
        "assessment": "Appréciation",
        "n": "n",
        "notes": "Notes",
        "improved": "Amélioration",
        "deteriorated": "Détérioration",
        "stable": "Pas de changement significatif",
        "no_previous": "Pas de comparaison",
        "fn_suppressed": "– Estimation masquée : moins de répondants que le minimum de "
        "l'indicateur (n < {min_n} par défaut).",
        "fn_change": "Variation depuis la période précédente ({prev}) en points de pourcentage "
        "(pts). Amélioration / Détérioration seulement si la variation est significative après "
        "contrôle du taux de fausses découvertes à {fdr} (Benjamini-Hochberg) sur une seule "
        "famille : {family} ({m} comparaisons) ; sinon, pas de changement significatif. "
        "L'intervalle de la variation est ajusté pour le taux de fausse couverture "
        "(Benjamini-Yekutieli ; niveau {level}) : il exclut zéro exactement quand la variation "
        "est significative ; l'intervalle à 95 % non ajusté est donné pour les analystes et "
        "n'est pas un test.",
        "small_partners": "Petits effectifs (moins de {partners} partenaires ou {interviews} "
        "entretiens) : à titre indicatif, sans comparaison",
        "few_units": "Moins de {units} entretiens codés deux fois : trop peu pour juger de "
        "l'accord",
        "robust_window": "Données : {window}.",
        "fn_ci": "IC 95 % : intervalle de confiance tenant compte du plan de sondage (intervalle "
        "logit pour les proportions).",
        "by": "Ventilation : {what}",
        "trend_title": "Indicateurs principaux, pourcentage des personnes interrogées",
        "trend_table": "Indicateurs principaux par période (pourcentage des personnes interrogées)",
        "period_col": "Période",
        "slopes_title": "Tendance linéaire par vague d'enquête, ensemble et par région (fondée "
        "sur le plan)",
        "slope": "Pente (pts par vague)",
        "all_regions": "Toutes les régions",
        "its_title": "Série chronologique interrompue autour de l'événement {event} ({date})",
        "term": "Terme",
        "its_estimate": "Estimation",
        "level_change": "Saut de niveau (pts)",
        "slope_change": "Changement de pente (pts par vague)",
        "pre_trend": "Tendance avant (pts par vague)",
        "pre_trend_difference": "Écart de tendance avant (pts par vague)",
        "model": "Modèle",
        "comparison group": "Par rapport aux autres régions",
        "single series": "Série unique",
        "caveat": "Mise en garde",
        "fn_slopes": "Pente\u00a0: variation par vague d'enquête d'un modèle linéaire fondé sur "
        "le plan, sur les vagues empilées jusqu'à cette période (points de pourcentage par vague "
        "pour les proportions), avec son intervalle de confiance à {level}\u00a0; Amélioration / "
        "Détérioration seulement si significative après contrôle du taux de fausses découvertes "
        "sur les lignes de l'indicateur (Benjamini-Hochberg). Mêmes chiffres que la page "
        "Tendances du tableau de bord.",
        "no_models": "Les modèles de tendance demandent les vagues d'enquête elles-mêmes (rapport "
        "établi à partir de la base) et au moins deux vagues jusqu'à cette période.",
        "not_estimable": "{indicator}\u00a0: pas de modèle de tendance ({why})",
        "rqi_title": "Qualité de la relation par type de partenaire",
        "partner_type": "Type de partenaire",
        "rqi": "IQR (0–100)",
        "interviews_n": "Entretiens (n)",
        "reliability": "Fiabilité entre codeurs (alpha de Krippendorff, ordinal)",
        "dimension": "Dimension",
        "alpha": "Alpha",
        "units": "Entretiens codés deux fois",
        "coders": "Codeurs",
        "robust": "Opérations robustes et qualité de la relation (modèle mixte)",
        "estimate": "Écart (points d'IQR)",
        "p": "p",
        "quotes": "Citations choisies (avec consentement)",
        "quote": "Citation",
        "no_partners": "Aucun entretien avec les partenaires n'a été codé pendant la période.",
        "fn_rqi": "IQR : moyenne de la confiance, du bénéfice mutuel et de la coopération, "
        "ramenée sur 0–100. Dimensions : scores moyens de 1 (faible) à 5 (fort).",
        "methods_title": "Méthodes et notes",
        "definitions": "Définitions des indicateurs",
        "section": "Section du rapport",
        "definition": "Définition",
        "nonsub": "Réponses non substantielles",
        "polarity": "Une hausse est",
        "up": "favorable",
        "down": "défavorable",
        "min_n": "n minimum",
        "topic": "Sujet",
        "text": "Note",
        "page": "Page &P sur &N",
    },
}

DIMENSIONS: dict[str, dict[str, str]] = {
    "trust": {"en": "Trust", "fr": "Confiance"},
    "mutual_benefit": {"en": "Mutual benefit", "fr": "Bénéfice mutuel"},
    "cooperation": {"en": "Cooperation", "fr": "Coopération"},
    "information_sharing": {"en": "Information sharing", "fr": "Partage d'informations"},
    "communication": {"en": "Communication", "fr": "Communication"},
    "impartiality": {"en": "Impartiality", "fr": "Impartialité"},
    "acceptance": {"en": "Acceptance", "fr": "Acceptation"},
    "local_ownership": {"en": "Local ownership", "fr": "Appropriation locale"},
    "coercion_cooperation": {"en": "Coercion–cooperation", "fr": "Coercition–coopération"},
}

_thin = Side(style="thin", color=GRID)
_HEADER_FONT = Font(name=FONT, size=9, bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor=UN_BLUE)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BODY = Font(name=FONT, size=9)
_BOLD = Font(name=FONT, size=9, bold=True)
_SMALL = Font(name=FONT, size=8, italic=True, color="404040")
_GREY = Font(name=FONT, size=9, italic=True, color="8C8C8C")  # small numbers: shown, not compared
_TITLE = Font(name=FONT, size=13, bold=True, color=DARK)
_SUB = Font(name=FONT, size=10, italic=True, color="404040")
_SECTION = Font(name=FONT, size=9, bold=True, color=DARK)
_SECTION_FILL = PatternFill("solid", fgColor=SECTION_FILL)
_WRAP = Alignment(vertical="top", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="top")
_TEXT = Alignment(horizontal="left", vertical="top", indent=1)
_CENTER = Alignment(horizontal="center", vertical="top")
_BOX = Border(bottom=_thin)


@dataclass(frozen=True)
class _Col:
    key: str
    width: float
    fmt: str | None = None


def _t(lang: str, key: str, **kw: Any) -> str:
    return L[lang][key].format(**kw) if kw else L[lang][key]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _scaled(value: Any, scale: float) -> float | None:
    v = _num(value)
    return None if v is None else v * scale


def _hf(text: str) -> str:
    """Text for a page header/footer: '&' starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def _lines(text: str, width: float) -> int:
    chars = max(8.0, width * 1.5)
    return max(1, sum(max(1, math.ceil(len(part) / chars)) for part in str(text).split("\n")))


def _source_row(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    """One row of the cover's data-sources table (the 5th column is a count)."""
    for j, v in enumerate(values, start=1):
        c = put(
            ws,
            row,
            j,
            v,
            font=_BODY,
            alignment=_WRAP if isinstance(v, str) else _RIGHT,
            border=_BOX,
        )
        if j == 5:
            c.number_format = COUNT


def _setup(
    ws: Worksheet, data: ReportData, lang: str, cols: Sequence[float], header_row: int | None
) -> None:
    for i, w in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.sheet_view.showGridLines = False
    ws.oddFooter.left.text = _hf(f"{data.mission_code} – {data.period.title(lang)}")
    ws.oddFooter.left.size = 8
    ws.oddFooter.center.text = _t(lang, "page")
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = _hf(ws.title)
    ws.oddFooter.right.size = 8
    if header_row is not None:
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        ws.print_title_rows = f"{header_row}:{header_row}"


def _title(ws: Worksheet, data: ReportData, lang: str, title: str) -> None:
    put(ws, 1, 1, title, font=_TITLE)
    sub = f"{data.mission_name.get(lang) or data.mission_code} – {data.period.title(lang)}"
    put(ws, 2, 1, sub, font=_SUB)
    ws.row_dimensions[1].height = 20


def _header(ws: Worksheet, row: int, labels: Sequence[str], height: float = 30) -> None:
    for j, text in enumerate(labels, start=1):
        put(
            ws,
            row,
            j,
            text,
            font=_HEADER_FONT,
            fill=_HEADER_FILL,
            alignment=_HEADER_ALIGN,
            border=Border(left=_thin, right=_thin, top=_thin, bottom=_thin),
        )
    ws.row_dimensions[row].height = height


def _section_row(ws: Worksheet, row: int, text: str, ncols: int) -> None:
    for j in range(1, ncols + 1):
        put(ws, row, j, None, fill=_SECTION_FILL, border=_BOX)
    put(ws, row, 1, text, font=_SECTION, fill=_SECTION_FILL)
    ws.row_dimensions[row].height = 16


def _footnotes(ws: Worksheet, row: int, notes: Sequence[str], ncols: int) -> int:
    row += 1
    for note in notes:
        put(ws, row, 1, note, font=_SMALL, alignment=Alignment(vertical="top", wrap_text=True))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 12 * _lines(note, 14 * ncols)
        row += 1
    return row


def _estimate_cells(
    ws: Worksheet,
    row: int,
    col: int,
    rec: pd.Series,
    lang: str,
    with_change: bool,
    ctx: NoteContext,
) -> int:
    """Value, CI, previous value, change, change CI, adjusted p, assessment, n, notes.

    Returns the next free column."""
    return _put_cells(ws, row, col, _estimate_values(rec, lang, with_change, ctx))


def note_context(data: ReportData) -> NoteContext:
    """What the notes of ``data``'s rows depend on (:func:`mande.reporting.notes.row_notes`): the
    policy, the rounds compared, calibrated weights, a change of sample design."""
    calibrated = bool((data.weighting or {}).get("calibration"))
    design = dict(zip(data.sources["round"], data.sources.get("design", []), strict=False))
    cur, prev = design.get(data.current_round), design.get(data.previous_round)
    return NoteContext(
        policy=data.policy,
        current_round=data.current_round,
        previous_round=data.previous_round,
        calibrated=calibrated,
        design_changed=cur is not None and prev is not None and cur != prev,
    )


def _estimate_values(
    rec: pd.Series, lang: str, with_change: bool, ctx: NoteContext
) -> list[tuple[Any, str | None]]:
    """The cells of :func:`_estimate_cells`, in the order of :func:`_estimate_keys`."""
    is_mean = str(rec.get("unit") or "percent") != "percent"
    fmt = MEAN if is_mean else PCT
    suppressed = bool(rec["suppressed"])
    cells: list[tuple[Any, str | None]] = []
    if suppressed:
        cells += [(SUPPRESSED, None)] * 3
    else:
        cells += [
            (_num(rec["estimate"]), fmt),
            (_num(rec["ci_low"]), fmt),
            (_num(rec["ci_high"]), fmt),
        ]
    if with_change:
        prev_supp = (
            bool(rec.get("previous_suppressed"))
            if not _missing(rec.get("previous_suppressed"))
            else False
        )
        pv = rec.get("previous_estimate")
        cells.append((SUPPRESSED, None) if prev_supp else (_num(pv), fmt))
        scale = 1.0 if is_mean else 100.0
        change = _num(rec.get("change"))
        if change is None:
            cells += [(None, None)] * 4
            verdict = None if suppressed or prev_supp or _missing(pv) else "stable"
        else:
            chf = MEAN_CHANGE if is_mean else PP
            cells += [
                (change * scale, chf),
                (_scaled(rec.get("change_ci_low"), scale), chf),
                (_scaled(rec.get("change_ci_high"), scale), chf),
                (_num(rec.get("q_value")), PVAL),
            ]
            verdict = str(rec.get("verdict") or "stable")
        cells.append((_t(lang, verdict) if verdict else None, None))
    cells.append((int(rec["n"]) if not _missing(rec["n"]) else None, COUNT))
    # the row's caveats, by the reporting policy's rules (mande.reporting.notes)
    cells.append((notes_text(row_notes(rec.to_dict(), ctx), lang) or None, None))
    if with_change:  # the unadjusted interval, for analysts, last
        if _num(rec.get("change")) is None:
            cells += [(None, None)] * 2
        else:
            unadj = MEAN_CHANGE if is_mean else PP
            scale = 1.0 if is_mean else 100.0
            cells += [
                (_scaled(rec.get("change_ci_low_unadjusted"), scale), unadj),
                (_scaled(rec.get("change_ci_high_unadjusted"), scale), unadj),
            ]
    return cells


def _put_cells(ws: Worksheet, row: int, col: int, cells: Sequence[tuple[Any, str | None]]) -> int:
    """Write ``(value, number format)`` cells from ``col`` on; returns the next free column."""
    for value, f in cells:
        if value == SUPPRESSED:
            put(ws, row, col, value, font=_BODY, alignment=_CENTER, border=_BOX)
        elif isinstance(value, str):
            put(ws, row, col, value, font=_BODY, alignment=_TEXT, border=_BOX)
        else:
            c = put(ws, row, col, value, font=_BODY, alignment=_RIGHT, border=_BOX)
            if f:
                c.number_format = f
        col += 1
    return col


def _estimate_keys(with_change: bool) -> list[str]:
    keys = ["value", "ci_low", "ci_high"]
    if with_change:
        keys += ["prev_value", "change", "change_ci_low", "change_ci_high", "q", "assessment"]
    keys += ["n", "notes"]
    if with_change:
        keys += ["change_unadj_low", "change_unadj_high"]
    return keys


def _estimate_headers(lang: str, with_change: bool) -> list[str]:
    return [_t(lang, k) for k in _estimate_keys(with_change)]


def _estimate_widths(with_change: bool) -> list[float]:
    w = [9.0, 9.0, 9.0]
    if with_change:
        w += [9.5, 9.0, 9.5, 9.5, 8.5, 17.0]
    return [*w, 8.0, 18.0, *([11.0, 11.0] if with_change else [])]


def _min_n(data: ReportData) -> int:
    vals = pd.to_numeric(data.indicators.get("min_n", pd.Series([30])), errors="coerce").dropna()
    return int(vals.min()) if len(vals) else 30


def _cover(
    wb: Workbook, data: ReportData, lang: str, sheet_names: Sequence[tuple[str, str]]
) -> None:
    ws = wb.active
    if ws is None:  # a new openpyxl Workbook always has one sheet
        ws = wb.create_sheet()
    ws.title = _t(lang, "cover")
    _setup(ws, data, lang, [26, 24, 30, 26, 14, 14, 30], None)
    put(ws, 1, 1, data.mission_name.get(lang) or data.mission_code, font=_TITLE)
    put(ws, 2, 1, _t(lang, "annex_title"), font=Font(name=FONT, size=12, bold=True))
    put(ws, 3, 1, _t(lang, "annex_sub"), font=_SUB)
    ws.row_dimensions[1].height = 20
    prev = f"{data.previous.title(lang)}" if data.previous is not None else _t(lang, "none")
    when = data.produced_at
    facts = [
        ("mission", f"{data.mission_name.get(lang) or ''} ({data.mission_code})"),
        ("country", data.country.get(lang) or data.country.get("en") or "–"),
        ("period", data.period.title(lang)),
        ("compared", prev),
        ("produced_by", data.produced_by),
        ("produced_on", f"{date_text(when.date(), lang)}, {when:%H:%M} UTC"),
        ("version", data.mande_version),
    ]
    row = 5
    for key, value in facts:
        put(ws, row, 1, _t(lang, key), font=_BOLD, alignment=_WRAP)
        put(ws, row, 2, value, font=_BODY, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        row += 1
    row += 1
    put(ws, row, 1, _t(lang, "sources"), font=_SECTION)
    row += 1
    header_row = row
    _header(
        ws,
        row,
        [
            _t(lang, k)
            for k in ("source", "round", "label", "fieldwork", "sample", "data_version", "file")
        ],
    )
    row += 1
    for rec in data.sources.to_dict("records"):
        start = pd.Timestamp(rec["fieldwork_start"]).date()
        end = pd.Timestamp(rec["fieldwork_end"]).date()
        values: list[Any] = [
            f"{_t(lang, 'survey')} – {_t(lang, str(rec['role']))}",
            rec["round"],
            rec["label"],
            date_range(start, end, lang, prefix=False),
            None if _missing(rec["n"]) else int(rec["n"]),
            None if _missing(rec["data_version"]) else rec["data_version"],
            None if _missing(rec["source"]) else rec["source"],
        ]
        _source_row(ws, row, values)
        row += 1
    if data.partners is not None:
        values = [
            _t(lang, "interviews"),
            None,
            None,
            data.period.title(lang),
            data.partners.n_interviews,
            None,
            None,
        ]
        _source_row(ws, row, values)
        row += 1
    # a round read without a sample design says so on the cover, under its source
    design = data.sources.get("design")
    for rnd in [] if design is None else data.sources.loc[design == "srs", "round"].tolist():
        put(ws, row, 1, f"{rnd}: {srs_note(lang)}", font=_SMALL, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        ws.row_dimensions[row].height = 36
        row += 1
    del header_row
    if data.current_round is None:  # a period with partner interviews and no survey
        put(ws, row, 1, _t(lang, "no_survey", period=data.period.title(lang)), font=_BOLD)
        row += 1
    row += 1
    put(ws, row, 1, _t(lang, "contents"), font=_SECTION)
    row += 1
    for name, what in sheet_names:
        put(ws, row, 1, name, font=_BOLD)
        put(ws, row, 2, what, font=_BODY)
        row += 1
    row += 1
    put(ws, row, 1, _t(lang, "privacy"), font=_SMALL, alignment=_WRAP)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
    ws.row_dimensions[row].height = 24


#: The summary's two printed tables: estimates, then changes. Each fits the width of an A4
#: landscape page at 100 % with 0.35-inch side margins (widths in Excel's character units; about
#: 100 of them fit, as LibreOffice and Excel print them; checked by rendering the pages in a test).
SUMMARY_VALUES: tuple[tuple[str, float], ...] = (
    ("id", 9.0), ("indicator", 38.0), ("value", 8.0), ("ci_low", 8.0), ("ci_high", 8.0),
    ("n", 7.0), ("notes", 22.0),
)  # fmt: skip
SUMMARY_CHANGES: tuple[tuple[str, float], ...] = (
    ("id", 8.0), ("indicator", 22.0), ("prev_value", 7.5), ("value", 7.5), ("change", 7.5),
    ("change_ci_low", 8.0), ("change_ci_high", 8.0), ("q", 6.5), ("assessment", 14.0),
    ("change_unadj_low", 8.0), ("change_unadj_high", 8.0),
)  # fmt: skip
_TEXT_WRAP = Alignment(horizontal="left", vertical="top", indent=1, wrap_text=True)


def _print_at_100(ws: Worksheet) -> None:
    """Print at 100 %: never shrunk to fit (the columns are sized to fit the page instead)."""
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.fitToWidth = None
    ws.page_setup.fitToHeight = None
    ws.page_setup.scale = 100
    ws.page_margins.left = ws.page_margins.right = 0.35


def _summary(wb: Workbook, data: ReportData, lang: str) -> None:
    """The summary, as two sheets that each print at 100 % on A4 landscape: the estimates with
    their intervals ("Summary"), then the changes with their tests ("Changes")."""
    with_change = data.previous is not None
    _summary_sheet(wb, data, lang, _t(lang, "summary"), SUMMARY_VALUES, with_change)
    if with_change:
        _summary_sheet(wb, data, lang, _t(lang, "changes"), SUMMARY_CHANGES, with_change)


def _summary_sheet(
    wb: Workbook,
    data: ReportData,
    lang: str,
    name: str,
    columns: Sequence[tuple[str, float]],
    with_change: bool,
) -> None:
    ws = wb.create_sheet(name)
    keys = [k for k, _ in columns]
    widths = [w for _, w in columns]
    _setup(ws, data, lang, widths, 4)
    _print_at_100(ws)
    title = "summary_title" if "change" not in keys else "changes_title"
    _title(ws, data, lang, _t(lang, title))
    headers = [_t(lang, k) for k in keys]
    tallest = max(_lines(h, w - 1) for h, w in zip(headers, widths, strict=True))
    _header(ws, 4, headers, max(30.0, 11.5 * tallest))
    ncols = len(widths)
    row = 5
    minn = dict(zip(data.indicators["indicator"], data.indicators["min_n"], strict=True))
    order = _estimate_keys(with_change)
    ctx = note_context(data)
    for section, labels in [*SECTIONS.items(), ("", {"en": "Other", "fr": "Autres"})]:
        part = data.summary[data.summary["sg_section"].fillna("") == section]
        if part.empty:
            continue
        _section_row(ws, row, labels[lang], ncols)
        row += 1
        for _, rec in part.iterrows():
            rec = rec.copy()
            rec["min_n"] = minn.get(rec["indicator"], 30)
            name_ = rec[f"name_{lang}"]
            cells = dict(zip(order, _estimate_values(rec, lang, with_change, ctx), strict=True))
            cells["id"] = (rec["indicator"], None)
            cells["indicator"] = (name_, None)
            lines = 1
            for j, key in enumerate(keys, start=1):
                value, f = cells[key]
                if isinstance(value, str) and key in ("id", "indicator", "assessment", "notes"):
                    put(ws, row, j, value, font=_BODY, alignment=_TEXT_WRAP, border=_BOX)
                    lines = max(lines, _lines(value, widths[j - 1] - 2))
                else:
                    _put_cells(ws, row, j, [(value, f)])
            ws.row_dimensions[row].height = 12.5 * lines
            row += 1
    notes = [_t(lang, "fn_ci"), _t(lang, "fn_suppressed", min_n=_min_n(data))]
    if "change" in keys:
        notes = [_fn_change(data, lang)]
    _footnotes(ws, row, notes, ncols)


def _fdr(data: ReportData, lang: str) -> str:
    return number(data.fdr * 100, lang, 0) + ("\u00a0%" if lang == "fr" else "%")


def _fn_change(data: ReportData, lang: str) -> str:
    """The footnote on changes: the comparison period, the FDR family and the adjusted level."""
    tables = [data.summary, *data.breakdowns.values()]
    tested = pd.concat([t[["q_value", "change_ci_level"]] for t in tables if len(t)])
    tested = tested[tested["q_value"].notna()]
    level = float(tested["change_ci_level"].iloc[0]) if len(tested) else float("nan")
    if data.policy.fdr_family == "table":
        m = "≤ " + number(max((t["q_value"].notna().sum() for t in tables), default=0), lang)
    else:
        m = number(len(tested), lang)
    pct = (
        "–"
        if math.isnan(level)
        else number(level * 100, lang, 3).rstrip("0").rstrip(".,")
        + ("\u00a0%" if lang == "fr" else "%")
    )
    return _t(
        lang,
        "fn_change",
        prev=data.previous.title(lang) if data.previous else "",
        fdr=_fdr(data, lang),
        family=data.policy.family_text(lang),
        m=m,
        level=pct,
    )


def _breakdown(wb: Workbook, data: ReportData, lang: str, key: str, table: pd.DataFrame) -> None:
    ws = wb.create_sheet(BREAKDOWNS[key][lang])
    with_change = data.previous is not None
    widths = [17.0, 30.0, 20.0, *_estimate_widths(with_change)]
    _setup(ws, data, lang, widths, 4)
    _title(ws, data, lang, _t(lang, "by", what=BREAKDOWNS[key][lang].lower()))
    _header(
        ws,
        4,
        [
            _t(lang, "id"),
            _t(lang, "indicator"),
            _t(lang, "group"),
            *_estimate_headers(lang, with_change),
        ],
    )
    minn = dict(zip(data.indicators["indicator"], data.indicators["min_n"], strict=True))
    ctx = note_context(data)
    row = 5
    ncols = len(widths)
    last = None
    for _, rec in table.iterrows():
        rec = rec.copy()
        rec["min_n"] = minn.get(rec["indicator"], 30)
        first = rec["indicator"] != last
        last = rec["indicator"]
        top = Border(bottom=_thin, top=Side(style="thin", color="808080")) if first else _BOX
        put(
            ws,
            row,
            1,
            rec["indicator"],
            font=_BODY if first else _SMALL,
            alignment=_WRAP,
            border=top,
        )
        put(
            ws,
            row,
            2,
            rec[f"name_{lang}"] if first else None,
            font=_BOLD,
            alignment=_WRAP,
            border=top,
        )
        put(ws, row, 3, rec[f"group_{lang}"], font=_BODY, alignment=_WRAP, border=top)
        _estimate_cells(ws, row, 4, rec, lang, with_change, ctx)
        if first:
            for j in range(4, ncols + 1):
                ws.cell(row=row, column=j).border = top
        ws.row_dimensions[row].height = 12.5 * (
            _lines(rec[f"name_{lang}"], widths[1]) if first else 1
        )
        row += 1
    notes = [_t(lang, "fn_ci"), _t(lang, "fn_suppressed", min_n=_min_n(data))]
    if data.previous is not None:
        notes.append(_fn_change(data, lang))
    _footnotes(ws, row, notes, ncols)


def _short(period_start: Any, period_end: Any, lang: str) -> str:
    return date_range(period_start, period_end, lang, prefix=False)


#: The Trends sheet's columns: about 100 of Excel's character units, so that it prints at 100 % on
#: A4 landscape as the summary does.
#: Column F holds the assessment (slopes) and the model (time series), G the n and the p.
TREND_WIDTHS: tuple[float, ...] = (28.0, 13.0, 10.0, 9.0, 9.0, 20.0, 9.0)


def _trends(wb: Workbook, data: ReportData, lang: str) -> None:
    """Headline indicators by period (table and chart), then the trend models: the linear trend
    per round overall and by region, and the interrupted time series around the mission's
    events, as the dashboard's Trends page shows them."""
    ws = wb.create_sheet(_t(lang, "trends"))
    inds = list(dict.fromkeys(data.trends["indicator"]))
    widths = list(TREND_WIDTHS)
    if len(inds) > len(widths) - 1:  # more headline indicators: narrower columns, same width
        widths = [28.0, *([70.0 / len(inds)] * len(inds))]
    _setup(ws, data, lang, widths, None)  # several tables: no header row repeated on each page
    ws.freeze_panes = "A5"
    _print_at_100(ws)
    _title(ws, data, lang, _t(lang, "trend_table"))
    _header(ws, 4, [_t(lang, "period_col"), *inds], height=18)
    by_period = {p.id: p for p in data.periods}
    periods = [p for p in dict.fromkeys(data.trends["period"])]
    periods.sort(key=lambda pid: by_period[pid].index if pid in by_period else 0)
    row = 5
    for pid in periods:
        p = by_period.get(pid)
        put(ws, row, 1, p.title(lang) if p else pid, font=_BODY, alignment=_WRAP, border=_BOX)
        ws.row_dimensions[row].height = 12.5
        for j, ind in enumerate(inds, start=2):
            sel = data.trends[(data.trends["period"] == pid) & (data.trends["indicator"] == ind)]
            if sel.empty:
                continue
            rec = sel.iloc[0]
            if bool(rec["suppressed"]):
                put(ws, row, j, SUPPRESSED, font=_BODY, alignment=_CENTER, border=_BOX)
            else:
                c = put(
                    ws, row, j, _num(rec["estimate"]), font=_BODY, alignment=_RIGHT, border=_BOX
                )
                c.number_format = PCT
        row += 1
    last = row - 1
    names = dict(zip(data.indicators["indicator"], data.indicators[f"name_{lang}"], strict=True))
    legend = "; ".join(f"{i}: {names.get(i, '')}" for i in inds)
    row = _footnotes(ws, row, [legend], len(widths))
    if inds and last >= 5:
        chart = LineChart()
        chart.title = _chart_title(_t(lang, "trend_title"))
        chart.style = 2
        chart.height = 9.0
        chart.width = 23
        chart.y_axis.title = None
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.y_axis.majorUnit = 0.2
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.legend.position = "b"
        values = Reference(ws, min_col=2, max_col=1 + len(inds), min_row=4, max_row=last)
        cats = Reference(ws, min_col=1, min_row=5, max_row=last)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(cats)
        palette = ["009EDB", "1F3864", "E3A21A", "4D8B31", "A2352E", "7F7F7F"]
        for k, s in enumerate(chart.series):
            s.smooth = False
            s.graphicalProperties.line.width = 22000
            s.graphicalProperties.line.solidFill = palette[k % len(palette)]
            s.marker.symbol = "circle"
            s.marker.size = 5
            s.marker.graphicalProperties.solidFill = palette[k % len(palette)]
            s.marker.graphicalProperties.line.solidFill = palette[k % len(palette)]
        ws.add_chart(chart, f"A{row + 1}")
        row += 22  # the chart's height in rows
    row = _footnotes(ws, row, [_t(lang, "fn_suppressed", min_n=_min_n(data))], len(widths))
    _trend_models(ws, data, lang, row + 1)


def _trend_models(ws: Worksheet, data: ReportData, lang: str, row: int) -> int:
    """The linear trends and interrupted time series of :attr:`ReportData.model_trends`."""
    models = data.model_trends
    ncols = len(TREND_WIDTHS)
    widths = [ws.column_dimensions[get_column_letter(j)].width or 11.0 for j in range(1, 8)]
    put(ws, row, 1, _t(lang, "slopes_title"), font=_SECTION)
    row += 1
    if models is None or not models.slopes:
        put(ws, row, 1, _t(lang, "no_models"), font=_BODY, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 12.5 * _lines(_t(lang, "no_models"), sum(widths))
        return row + 1
    table = data.breakdowns.get("region")  # region names as the report's region sheet has them
    regions = (
        {}
        if table is None
        else dict(zip(table["group"].astype(str), table[f"group_{lang}"], strict=True))
    )
    level = number(data.level * 100, lang, 0) + ("\u00a0%" if lang == "fr" else "%")
    keys = ["indicator", "group", "slope", "ci_low", "ci_high", "assessment", "n"]
    head = [_t(lang, k) for k in keys]
    _header(ws, row, head, 11.5 * max(_lines(h, w - 1) for h, w in zip(head, widths, strict=True)))
    row += 1
    for tr in models.slopes:
        fmt = PP if tr.unit == "pp" else MEAN_CHANGE
        first = True
        for _, rec in tr.slopes.iterrows():
            overall = str(rec["breakdown"]) in ("all", "total")
            group = (
                _t(lang, "all_regions")
                if overall
                else regions.get(str(rec["group"]), str(rec["group"]))
            )
            label = f"{tr.indicator} {tr.name}" if first else None
            top = Border(bottom=_thin, top=Side(style="thin", color="808080")) if first else _BOX
            put(ws, row, 1, label, font=_BOLD, alignment=_WRAP, border=top)
            put(ws, row, 2, group, font=_BODY, alignment=_WRAP, border=top)
            for j, (v, f) in enumerate(
                [(_num(rec["estimate"]), fmt), (_num(rec["ci_low"]), fmt),
                 (_num(rec["ci_high"]), fmt)],
                start=3,
            ):  # fmt: skip
                c = put(ws, row, j, v, font=_BODY, alignment=_RIGHT, border=top)
                c.number_format = f
            verdict = {"improved": "improved", "deteriorated": "deteriorated"}.get(
                str(rec["verdict"]), "stable"
            )
            put(ws, row, 6, _t(lang, verdict), font=_BODY, alignment=_TEXT_WRAP, border=top)
            c = put(ws, row, 7, int(rec["n"]), font=_BODY, alignment=_RIGHT, border=top)
            c.number_format = COUNT
            lines = max(
                _lines(label or "", widths[0] - 2), _lines(group, widths[1] - 2),
                _lines(_t(lang, verdict), widths[5] - 2),
            )  # fmt: skip
            ws.row_dimensions[row].height = 12.5 * lines
            first = False
            row += 1
    notes = [_t(lang, "fn_slopes", level=level)]
    notes += [_t(lang, "not_estimable", indicator=i, why=why) for i, why in models.skipped]
    row = _footnotes(ws, row, notes, ncols)
    by_event: dict[str, list[Any]] = {}
    for tr in models.its:
        by_event.setdefault(tr.event.id, []).append(tr)
    for trs in by_event.values():
        event = trs[0].event
        row += 1
        title = _t(lang, "its_title", event=event.text(lang), date=date_text(event.date, lang))
        put(ws, row, 1, title, font=_SECTION)
        row += 1
        keys = ["indicator", "term", "its_estimate", "ci_low", "ci_high", "model", "p"]
        head = [_t(lang, k) for k in keys]
        _header(ws, row, head, 30)
        row += 1
        caveats: list[str] = []
        for tr in trs:
            first = True
            for _, rec in tr.its.iterrows():
                term = str(rec["term"])
                fmt = PP if tr.unit == "pp" else MEAN_CHANGE
                label = f"{tr.indicator} {tr.name}" if first else None
                top = (
                    Border(bottom=_thin, top=Side(style="thin", color="808080")) if first else _BOX
                )
                put(ws, row, 1, label, font=_BOLD, alignment=_WRAP, border=top)
                term_text = _t(lang, term) if term in L[lang] else term
                if tr.unit != "pp":
                    term_text = term_text.replace("pp", "points").replace("pts", "points")
                put(ws, row, 2, term_text, font=_BODY, alignment=_WRAP, border=top)
                for j, (v, f) in enumerate(
                    [(_num(rec["estimate"]), fmt), (_num(rec["ci_low"]), fmt),
                     (_num(rec["ci_high"]), fmt)],
                    start=3,
                ):  # fmt: skip
                    c = put(ws, row, j, v, font=_BODY, alignment=_RIGHT, border=top)
                    c.number_format = f
                model = str(rec.get("model") or "")
                model_text = _t(lang, model) if model in L[lang] else model
                put(ws, row, 6, model_text, font=_BODY, alignment=_TEXT_WRAP, border=top)
                c = put(ws, row, 7, _num(rec["p_value"]), font=_BODY, alignment=_RIGHT, border=top)
                c.number_format = PVAL
                ws.row_dimensions[row].height = 12.5 * max(
                    _lines(label or "", widths[0] - 2), _lines(term_text, widths[1] - 2),
                    _lines(model_text, widths[5] - 2),
                )  # fmt: skip
                first = False
                row += 1
            caveat = str(tr.its["caveat"].iloc[0])
            if caveat and caveat not in caveats:
                caveats.append(caveat)
        row = _footnotes(ws, row, [f"{_t(lang, 'caveat')}: {c}" for c in caveats], ncols)
    return row


def _chart_title(text: str) -> Title:
    props = CharacterProperties(sz=1100, b=True, solidFill=DARK)
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _partner_label(data: ReportData, code: str, lang: str) -> str:
    pi = data.partners
    if pi is not None and code in pi.partner_labels:
        return str(pi.partner_labels[code].get(lang) or code)
    try:
        from mande.partners.rubric import load_rubric

        return load_rubric().partner_type_label(code, lang)
    except Exception:
        return code


def _dimension_label(data: ReportData, code: str, lang: str) -> str:
    pi = data.partners
    if pi is not None and code in pi.dimension_labels:
        return str(pi.dimension_labels[code].get(lang) or code)
    return DIMENSIONS.get(code, {}).get(lang, code)


def _partners(wb: Workbook, data: ReportData, lang: str) -> None:
    ws = wb.create_sheet(_t(lang, "partners"))
    pi = data.partners
    rqi = pi.rqi if pi is not None else None
    dims = [d for d in DIMENSIONS if rqi is not None and d in rqi.columns]
    widths = [30.0, 10.0, 9.0, 9.0, 10.0, *([10.5] * len(dims)), 24.0]
    widths = widths + [10.5] * max(0, 7 - len(widths))
    ncols = len(widths)
    _setup(ws, data, lang, widths, 4)
    _title(ws, data, lang, _t(lang, "rqi_title"))
    if pi is None or rqi is None or rqi.empty:
        put(ws, 4, 1, _t(lang, "no_partners"), font=_BODY)
        return
    _header(
        ws,
        4,
        [_t(lang, k) for k in ("partner_type", "rqi", "ci_low", "ci_high", "interviews_n")]
        + [_dimension_label(data, d, lang) for d in dims]
        + [_t(lang, "notes")],
        height=42,
    )
    row = 5
    pol = data.policy
    for _, rec in rqi.iterrows():
        small = bool(rec.get("small")) if not _missing(rec.get("small")) else False
        font = _GREY if small else _BODY
        put(
            ws,
            row,
            1,
            _partner_label(data, str(rec["partner_type"]), lang),
            font=font,
            alignment=_WRAP,
            border=_BOX,
        )
        ws.row_dimensions[row].height = 12.5
        vals: list[tuple[Any, str]] = [
            (_num(rec.get("rqi")), INDEX),
            (_num(rec.get("ci_low")), INDEX),
            (_num(rec.get("ci_high")), INDEX),
            (None if _missing(rec.get("n")) else int(rec["n"]), COUNT),
        ] + [(_num(rec[d]), SCORE) for d in dims]
        for j, (v, f) in enumerate(vals, start=2):
            c = put(ws, row, j, v, font=font, alignment=_RIGHT, border=_BOX)
            c.number_format = f
        note = (
            _t(lang, "small_partners", partners=pol.min_partners, interviews=pol.min_interviews)
            if small
            else None
        )
        put(ws, row, len(vals) + 2, note, font=font, alignment=_WRAP, border=_BOX)
        if note:
            ws.row_dimensions[row].height = 12.5 * 3
        row += 1
    row = _footnotes(ws, row, [_t(lang, "fn_rqi")], ncols)
    rel = pi.reliability
    if rel is not None and not rel.empty:
        row += 1
        put(ws, row, 1, _t(lang, "reliability"), font=_SECTION)
        row += 1
        _header(
            ws, row, [_t(lang, k) for k in ("dimension", "alpha", "units", "coders", "notes")], 30
        )
        row += 1
        for _, rec in rel.iterrows():
            few = bool(rec.get("few_units")) if not _missing(rec.get("few_units")) else False
            font = _GREY if few else _BODY
            put(
                ws,
                row,
                1,
                _dimension_label(data, str(rec["dimension"]), lang),
                font=font,
                alignment=_WRAP,
                border=_BOX,
            )
            ws.row_dimensions[row].height = 12.5
            for j, (v, f) in enumerate(
                [
                    (_num(rec.get("alpha")), "0.00"),
                    (None if _missing(rec.get("n_units")) else int(rec["n_units"]), COUNT),
                    (None if _missing(rec.get("n_coders")) else int(rec["n_coders"]), COUNT),
                ],
                start=2,
            ):
                c = put(ws, row, j, v, font=font, alignment=_RIGHT, border=_BOX)
                c.number_format = f
            note = _t(lang, "few_units", units=pol.min_double_coded) if few else None
            put(ws, row, 5, note, font=font, alignment=_WRAP, border=_BOX)
            if note:
                ws.row_dimensions[row].height = 12.5 * 3
            row += 1
    rob = pi.robust
    if rob:
        row += 1
        put(ws, row, 1, _t(lang, "robust"), font=_SECTION)
        row += 1
        sentence = str(rob.get(f"sentence_{lang}") or rob.get("sentence_en") or "")
        window = rob.get(f"window_{lang}")
        if window:
            sentence += " " + _t(lang, "robust_window", window=window)
        put(ws, row, 1, sentence, font=_BODY, alignment=_WRAP)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 13 * _lines(sentence, sum(widths))
        row += 1
        if any(k in rob for k in ("estimate", "ci_low", "ci_high", "p_value")):
            _header(ws, row, [_t(lang, k) for k in ("estimate", "ci_low", "ci_high", "p", "n")], 30)
            row += 1
            for j, (k, f) in enumerate(
                [
                    ("estimate", "+0.0;-0.0;0.0"),
                    ("ci_low", "+0.0;-0.0;0.0"),
                    ("ci_high", "+0.0;-0.0;0.0"),
                    ("p_value", PVAL),
                    ("n", COUNT),
                ],
                start=1,
            ):
                c = put(ws, row, j, _num(rob.get(k)), font=_BODY, alignment=_RIGHT, border=_BOX)
                c.number_format = f
            row += 1
    quotes = pi.quotes
    if quotes is not None and not quotes.empty:
        row += 1
        put(ws, row, 1, _t(lang, "quotes"), font=_SECTION)
        row += 1
        _header(ws, row, [_t(lang, "partner_type"), _t(lang, "quote")], 18)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=ncols)
        row += 1
        for _, rec in quotes.iterrows():
            put(
                ws,
                row,
                1,
                _partner_label(data, str(rec["partner_type"]), lang),
                font=_BODY,
                alignment=_WRAP,
                border=_BOX,
            )
            put(
                ws,
                row,
                2,
                rec["quote"],
                font=Font(name=FONT, size=9, italic=True),
                alignment=_WRAP,
                border=_BOX,
            )
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=ncols)
            ws.row_dimensions[row].height = 13 * _lines(str(rec["quote"]), sum(widths[1:]))
            row += 1


def _weighting_text(data: ReportData, lang: str) -> str:
    """How the current round's weights were built: from its sample plan when mande weighted it
    (:func:`mande.weighting.describe_weighting`), else the weights supplied with the round."""
    if data.weighting:
        from mande.weighting import describe_weighting

        return describe_weighting(data.weighting, lang)
    if lang == "fr":
        return (
            "Poids finaux de sondage fournis avec chaque vague ; les estimations sont des "
            "moyennes et proportions pondérées (estimateurs de Horvitz-Thompson)."
        )
    return (
        "Final survey weights supplied with each round; estimates are weighted means and "
        "proportions (Horvitz-Thompson estimators)."
    )


def _methods_text(data: ReportData, lang: str) -> list[tuple[str, str]]:
    level = number(data.level * 100, lang, 0)
    fdr = _fdr(data, lang)
    minn = _min_n(data)
    if lang == "fr":
        return [
            (
                "Plan de sondage",
                "Enquête de perception auprès des ménages, par sondage stratifié "
                "à plusieurs degrés (strates, unités primaires d'échantillonnage). Toutes les "
                "estimations tiennent compte des strates, des grappes et des poids.",
            ),
            ("Pondération", _weighting_text(data, lang)),
            (
                "Intervalles de confiance",
                f"Intervalles à {level}\u00a0% fondés sur le plan "
                "(linéarisation de Taylor) ; pour les proportions, intervalle logit avec un quantile "
                'de Student sur les degrés de liberté du plan, comme svyciprop(method = "logit") '
                "du paquet R survey. Les sous-populations sont estimées sur le plan complet.",
            ),
            (
                "Masquage et précision",
                f"Une estimation est masquée (–) lorsque moins de {minn} "
                "personnes (minimum de l'indicateur) ont donné une réponse valable. Elle est "
                "signalée « précision faible » lorsque son coefficient de variation ou la largeur de "
                "son intervalle dépasse le seuil défini.",
            ),
            (
                "Réponses non substantielles",
                "Ne sait pas, refus et sans objet gardent leur code ; "
                "la définition de chaque indicateur précise s'ils sont exclus du dénominateur ou "
                "comptés, et leur nombre est publié avec chaque résultat.",
            ),
            (
                "Comparaison entre périodes",
                "Chaque vague d'enquête appartient à la période qui "
                "contient la date de fin de sa collecte. La variation est la différence entre la "
                "vague de la période et celle de la dernière période antérieure ayant une enquête "
                "(échantillons indépendants).",
            ),
            (
                "Contrôle des fausses découvertes",
                f"Les valeurs p des variations sont ajustées "
                f"par la méthode de Benjamini-Hochberg au sein de chaque tableau (synthèse ; chaque "
                f"feuille de ventilation) ; "
                f"une hausse ou une baisse n'est mentionnée que si la valeur ajustée est inférieure "
                f"à {fdr}.",
            ),
            (
                "Entretiens avec les partenaires",
                "Entretiens semi-directifs codés sur une grille "
                "de 1 (faible) à 5 (fort) ; un second codeur sur un échantillon permet de mesurer la "
                "fiabilité (alpha de Krippendorff, ordinal).",
            ),
        ]
    return [
        (
            "Design",
            "Household perception survey drawn by stratified multi-stage sampling (strata, "
            "primary sampling units). Every estimate accounts for strata, clusters and weights.",
        ),
        ("Weighting", _weighting_text(data, lang)),
        (
            "Confidence intervals",
            f"{level}% design-based intervals (Taylor linearisation); for "
            "proportions, the logit interval with a t quantile on the design degrees of freedom, as "
            'svyciprop(method = "logit") in R\'s survey package. Subgroups are estimated on the '
            "full design.",
        ),
        (
            "Suppression and precision",
            f"An estimate is suppressed (–) when fewer than {minn} "
            "respondents (the indicator's minimum) gave a valid answer. It is flagged as low "
            "precision when its coefficient of variation or interval width exceeds the set "
            "threshold.",
        ),
        (
            "Non-substantive answers",
            "Don't know, refused and does not apply keep their codes; each "
            "indicator's definition says whether they are left out of the denominator or counted, "
            "and their numbers are published with every result.",
        ),
        (
            "Comparison between periods",
            "Each survey round belongs to the period containing its "
            "fieldwork end date. The change is the difference between this period's round and the "
            "round of the latest earlier period with a survey (independent samples).",
        ),
        (
            "False discovery rate",
            "The p-values of the changes are adjusted by the "
            "Benjamini-Hochberg method within each table (the summary; each breakdown sheet); an "
            "increase or decrease "
            f"is reported only when the adjusted value is below {fdr}.",
        ),
        (
            "Partner interviews",
            "Semi-structured interviews coded on a rubric from 1 (poor) to 5 "
            "(strong); a second coder on a sample measures reliability (Krippendorff's alpha, "
            "ordinal).",
        ),
    ]


def _methods(wb: Workbook, data: ReportData, lang: str) -> None:
    ws = wb.create_sheet(_t(lang, "methods"))
    widths = [17.0, 30.0, 24.0, 52.0, 40.0, 11.0, 9.0]
    _setup(ws, data, lang, widths, None)
    _title(ws, data, lang, _t(lang, "methods_title"))
    row = 4
    _header(ws, row, [_t(lang, "topic"), "", _t(lang, "text")], 18)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=len(widths))
    row += 1
    for topic, text in _methods_text(data, lang):
        put(ws, row, 1, topic, font=_BOLD, alignment=_WRAP, border=_BOX)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        put(ws, row, 3, text, font=_BODY, alignment=_WRAP, border=_BOX)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=len(widths))
        ws.row_dimensions[row].height = 12.5 * _lines(text, sum(widths[2:]))
        row += 1
    row += 1
    put(ws, row, 1, _t(lang, "definitions"), font=_SECTION)
    row += 1
    _header(
        ws,
        row,
        [
            _t(lang, k)
            for k in ("id", "indicator", "section", "definition", "nonsub", "polarity", "min_n")
        ],
    )
    row += 1
    for _, rec in data.indicators.iterrows():
        section = SECTIONS.get(str(rec["sg_section"]), {}).get(lang, str(rec["sg_section"]))
        vals: list[Any] = [
            rec["indicator"],
            rec[f"name_{lang}"],
            section,
            rec[f"definition_{lang}"] or None,
            rec[f"non_substantive_{lang}"] or None,
            _t(lang, "down" if rec["polarity"] == "down" else "up"),
            None if _missing(rec["min_n"]) else int(rec["min_n"]),
        ]
        for j, v in enumerate(vals, start=1):
            put(ws, row, j, v, font=_BODY, alignment=_WRAP if j < 7 else _RIGHT, border=_BOX)
        ws.row_dimensions[row].height = 12.5 * max(
            _lines(str(v or ""), widths[j - 1]) for j, v in enumerate(vals, start=1)
        )
        row += 1
    if data.data_versions:  # one row per data set: the version a figure can be traced to
        row += 1
        put(ws, row, 1, _t(lang, "data_versions"), font=_SECTION)
        row += 1
        _header(ws, row, [_t(lang, "source"), _t(lang, "data_version")], 18)
        row += 1
        for key, version in data.data_versions.items():
            put(ws, row, 1, str(key), font=_BODY, alignment=_WRAP, border=_BOX)
            put(ws, row, 2, str(version), font=_BODY, alignment=_WRAP, border=_BOX)
            row += 1


def _shown_decimals(fmt: str) -> int | None:
    """How many decimals a cell format shows ("+0.0;-0.0;0.0": 1, "0.0%": 3 on the 0-1 value),
    None for a format without a sign section or a text."""
    first = fmt.split(";")[0]
    if "0" not in first:
        return None
    decimals = len(first.split(".")[1].rstrip("%").rstrip()) if "." in first else 0
    return decimals + (2 if "%" in first else 0)


def _finish(wb: Workbook, lang: str) -> None:
    """The last pass over every cell: a figure that displays as zero is written as zero (so that
    "-0.0" never prints, :func:`mande.report.style.clean_zero`); in French every text, header and
    footer takes French typography (:func:`mande.report.style.fr_typography`)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, float) and c.data_type == "n":
                    fmt = str(c.number_format)
                    decimals = _shown_decimals(fmt)
                    # a negative figure, or any figure in a signed format ("+0.0;-0.0;0.0"), that
                    # rounds to zero shows "0.0" ("-0.0" or "+0.0" otherwise); a p of 0.00006
                    # stays as it is ("0.000")
                    if decimals is not None and (v < 0 or ";" in fmt):
                        c.value = clean_zero(v, decimals)
                elif lang == "fr" and isinstance(v, str) and c.data_type == "s":
                    fixed = fr_typography(v)
                    if fixed != v:
                        c.value = fixed
                        c.data_type = "s"  # text stays text, whatever it starts with
        if lang == "fr":
            for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
                if part.text:
                    part.text = fr_typography(part.text)


def write_annex(data: ReportData, path: str | Path, lang: str | None = None) -> Path:
    """Write the Excel annex for ``data`` to ``path`` (.xlsx) and return the path.

    ``lang`` ("en" or "fr") defaults to the language ``data`` was built for. The file is checked
    after saving: if any cell holds a formula, or a chart points outside the workbook, the file is
    removed and :class:`MandeError` raised.
    """
    lang = check_lang(lang or data.lang)
    path = Path(path)
    wb = Workbook()
    contents: list[tuple[str, str]] = [(_t(lang, "summary"), _t(lang, "annex_sub"))]
    if data.previous is not None:
        contents.append((_t(lang, "changes"), _t(lang, "changes_title")))
    for key in BREAKDOWNS:
        if key in data.breakdowns:
            contents.append(
                (BREAKDOWNS[key][lang], _t(lang, "by", what=BREAKDOWNS[key][lang].lower()))
            )
    contents += [
        (_t(lang, "trends"), _t(lang, "trend_table")),
        (_t(lang, "partners"), _t(lang, "rqi_title")),
        (_t(lang, "methods"), _t(lang, "definitions")),
    ]
    _cover(wb, data, lang, contents)
    _summary(wb, data, lang)
    for key in BREAKDOWNS:
        if key in data.breakdowns:
            _breakdown(wb, data, lang, key, data.breakdowns[key])
    _trends(wb, data, lang)
    _partners(wb, data, lang)
    if getattr(data, "footprint", None) is not None:
        from mande.report.footprint import write_footprint_sheet

        write_footprint_sheet(wb, data.footprint, lang)
    _methods(wb, data, lang)
    title = f"{data.mission_code} – {_t(lang, 'annex_title')} – {data.period.title(lang)}"
    wb.properties.title = title[:255]
    wb.properties.creator = f"mande {data.mande_version}"
    wb.properties.language = lang
    _finish(wb, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    bad = foreign_formulas(path, set(wb.sheetnames))
    if bad:
        path.unlink(missing_ok=True)
        raise MandeError(
            f"the annex held content that could run as a formula ({'; '.join(bad)}); nothing was "
            "written. This is a bug in mande: please report it with the input files."
        )
    return path


def describe_annex(path: str | Path) -> str:
    """A readable description of an annex's structure, for snapshot tests and review.

    Lists each sheet: title, frozen pane, print setup, print titles, column widths, the header
    row's labels and every distinct number format used, and the first column's texts.
    """
    wb = load_workbook(path)
    out: list[str] = []
    for ws in wb.worksheets:
        ps = ws.page_setup
        out.append(f"== sheet: {ws.title}")
        out.append(
            f"freeze: {ws.freeze_panes}; paper: {ps.paperSize}; orientation: {ps.orientation}; "
            f"fit to width: {ps.fitToWidth}; print titles: {ws.print_title_rows}"
        )
        widths = [
            f"{k}={ws.column_dimensions[k].width:g}"
            for k in sorted(ws.column_dimensions, key=lambda c: (len(c), c))
            if ws.column_dimensions[k].width
        ]
        out.append("widths: " + " ".join(widths))
        header_row = (
            ws.freeze_panes and int("".join(ch for ch in ws.freeze_panes if ch.isdigit())) - 1
        )
        if header_row:
            labels = [str(c.value) for c in ws[header_row] if c.value is not None]
            out.append("header: " + " | ".join(labels))
        formats: dict[str, int] = {}
        for r in ws.iter_rows():
            for c in r:
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    formats[c.number_format] = formats.get(c.number_format, 0) + 1
        out.append("number formats: " + ", ".join(sorted(formats)))
        out.append(f"charts: {len(ws._charts)}")
        previous = None
        for r in ws.iter_rows(min_col=1, max_col=1):
            v = r[0].value
            if isinstance(v, str) and v != previous:
                out.append(f"  A{r[0].row}: {v}")
            previous = v
    return "\n".join(out) + "\n"
