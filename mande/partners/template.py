"""The partner-interview coding sheet: an Excel template built from the rubric (openpyxl).

Sheets:

``interviews``
    One row per interview and coder (a second coder codes about one interview in ten on a second
    row with the same interview ID). Headers in the chosen language; drop-down lists (data
    validation) so that a code outside the scale cannot be typed: 1-5 for the dimensions, partner
    types, yes/no for robust context and consent, coders, regions, quote themes.
``rubric``
    Each dimension with its question and written anchors, 1 (poor) to 5 (strong).
``themes``
    The theme codes, their labels in English and French, and what they cover.
``lists``
    The sources of the drop-down lists. Officers may add their coders' codes in column D.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mande.errors import ConfigError
from mande.partners.rubric import LANGUAGES, Rubric, load_rubric

if TYPE_CHECKING:
    from mande.config import MissionConfig

__all__ = [
    "SHEETS",
    "build_template",
    "save_workbook_reproducibly",
    "write_interview_template",
]

SHEETS = ("interviews", "rubric", "themes", "lists")
TEMPLATE_ROWS = 1000
N_CODER_SLOTS = 30
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

_TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "rubric_title": "Coding rubric: score each dimension 1 (poor) to 5 (strong) using the anchors.",
        "dimension": "Dimension",
        "code": "Code",
        "question": "Question for the coder",
        "rqi": "In the relationship-quality index",
        "yes": "yes",
        "no": "no",
        "theme_title": "Theme codes: write one or more in the Themes column, separated by ;",
        "label_en": "Label (English)",
        "label_fr": "Label (French)",
        "description": "What it covers",
        "lists": ["Partner types", "Yes / no", "Scores", "Coders (add yours)", "Regions", "Themes"],
        "error_title": "Value not allowed",
        "error": "Choose a value from the list (see the 'rubric' and 'lists' sheets).",
    },
    "fr": {
        "rubric_title": "Grille de codage : noter chaque dimension de 1 (faible) à 5 (solide) selon les repères.",
        "dimension": "Dimension",
        "code": "Code",
        "question": "Question pour le codeur",
        "rqi": "Dans l'indice de qualité de la relation",
        "yes": "oui",
        "no": "non",
        "theme_title": "Codes des thèmes : en inscrire un ou plusieurs dans la colonne Thèmes, séparés par ;",
        "label_en": "Libellé (anglais)",
        "label_fr": "Libellé (français)",
        "description": "Ce qu'il couvre",
        "lists": [
            "Types de partenaire",
            "Oui / non",
            "Notes",
            "Codeurs (ajouter les vôtres)",
            "Régions",
            "Thèmes",
        ],
        "error_title": "Valeur non autorisée",
        "error": "Choisir une valeur dans la liste (voir les feuilles « rubric » et « lists »).",
    },
}


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ConfigError(
            f"language {lang!r} is not available; expected one of {', '.join(LANGUAGES)}"
        )


def build_template(
    *,
    lang: str = "en",
    mission: MissionConfig | None = None,
    coders: Sequence[str] = (),
    rows: int = TEMPLATE_ROWS,
    rubric: Rubric | None = None,
) -> Workbook:
    """Build the coding-sheet workbook (not saved). See the module docstring for its sheets.

    Parameters
    ----------
    lang:
        Language of headers, lists and anchors: ``"en"`` or ``"fr"``.
    mission:
        When given, the region column gets a drop-down of the mission's p-codes.
    coders:
        Codes of the mission's coders (initials), put in the coders list; officers may add more.
    rows:
        How many data rows carry the drop-down lists.
    """
    _check_lang(lang)
    rb = rubric or load_rubric()
    text = _TEXT[lang]
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "interviews"
    for rubric_sheet in SHEETS[1:]:
        wb.create_sheet(rubric_sheet)

    # -- lists (validation sources)
    lists = wb["lists"]
    regions = [r.pcode for r in mission.regions] if mission is not None else []
    columns: list[list[Any]] = [
        [rb.partner_type_label(code, lang) for code in rb.partner_types],
        [text["yes"], text["no"]],
        list(rb.scale),
        list(coders) + [None] * max(0, N_CODER_SLOTS - len(coders)),
        regions,
        list(rb.themes),
    ]
    for j, (title, values) in enumerate(zip(text["lists"], columns, strict=True), start=1):
        cell = lists.cell(row=1, column=j, value=title)
        cell.font = _BOLD
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
        lists.column_dimensions[get_column_letter(j)].width = 40 if j == 1 else 24
    lists.freeze_panes = "A2"

    def source(j: int, n: int) -> str:
        col = get_column_letter(j)
        return f"lists!${col}$2:${col}${max(n, 1) + 1}"

    # -- interviews
    for j, col in enumerate(rb.columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.header[lang])
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "B2"
    last = rows + 1
    index = {c.name: j for j, c in enumerate(rb.columns, start=1)}

    def validate(names: Sequence[str], formula: str, kind: str = "list", **kw: str) -> None:
        dv = DataValidation(
            type=kind,
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=text["error_title"],
            error=text["error"],
            **kw,
        )
        for name in names:
            letter = get_column_letter(index[name])
            dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)

    validate(["partner_type"], source(1, len(rb.partner_types)))
    validate(["robust_context", "consent"], source(2, 2))
    validate(list(rb.scored), source(3, len(rb.scale)))
    validate(["coder"], source(4, N_CODER_SLOTS if not coders else max(len(coders), N_CODER_SLOTS)))
    if regions:
        validate(["region"], source(5, len(regions)))
    validate(["quote_theme"], source(6, len(rb.themes)))
    validate(["date"], "DATE(2000,1,1)", kind="date", operator="greaterThan")
    date_letter = get_column_letter(index["date"])
    for i in range(2, last + 1):
        ws[f"{date_letter}{i}"].number_format = "yyyy-mm-dd"

    # -- rubric
    sheet = wb["rubric"]
    sheet.cell(row=1, column=1, value=text["rubric_title"]).font = Font(bold=True, size=12)
    heads = [text["code"], text["dimension"], text["question"], text["rqi"]] + [
        rb.scale_labels[s][lang] for s in rb.scale
    ]
    for j, h in enumerate(heads, start=1):
        c = sheet.cell(row=3, column=j, value=h)
        c.font = _BOLD
        c.fill = _HEADER_FILL
        c.alignment = _WRAP
    dims = [*rb.dimensions.values(), rb.coercion_cooperation]
    for i, dim in enumerate(dims, start=4):
        in_rqi = dim.code in rb.rqi_dimensions
        values = [dim.code, dim.label(lang), dim.question[lang], text["yes"] if in_rqi else ""]
        values += [dim.anchors[s][lang] for s in rb.scale]
        for j, v in enumerate(values, start=1):
            sheet.cell(row=i, column=j, value=v).alignment = _WRAP
    for j, width in enumerate([20, 26, 36, 14] + [34] * len(rb.scale), start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = "C4"

    # -- themes
    sheet = wb["themes"]
    sheet.cell(row=1, column=1, value=text["theme_title"]).font = Font(bold=True, size=12)
    for j, h in enumerate(
        [text["code"], text["label_en"], text["label_fr"], text["description"]], start=1
    ):
        c = sheet.cell(row=3, column=j, value=h)
        c.font = _BOLD
        c.fill = _HEADER_FILL
    for i, (code, spec) in enumerate(rb.themes.items(), start=4):
        for j, v in enumerate(
            [code, spec["label"]["en"], spec["label"]["fr"], spec["description"][lang]], start=1
        ):
            sheet.cell(row=i, column=j, value=v).alignment = _WRAP
    for j, width in enumerate([24, 30, 34, 60], start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = "A4"
    return wb


FIXED_TIME = dt.datetime(2026, 10, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def save_workbook_reproducibly(
    wb: Workbook, path: str | Path, *, when: dt.datetime = FIXED_TIME
) -> Path:
    """Save ``wb`` so that the same workbook always gives the same bytes.

    openpyxl stamps the document's ``modified`` property and every zip entry with the current
    time; both are set to ``when`` here.
    """
    path = Path(path)
    wb.properties.created = when
    wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(lambda m: m.group(1) + stamp + m.group(3), data)
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def write_interview_template(
    path: str | Path,
    *,
    lang: str = "en",
    mission: MissionConfig | None = None,
    coders: Sequence[str] = (),
) -> Path:
    """Write an empty coding sheet to ``path`` (``.xlsx``) and return the path.

    The command ``mande partners template OUT.xlsx [--lang fr]`` calls this.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(
            f"the template is an Excel workbook; give a path ending in .xlsx, got {path.name!r}"
        )
    return save_workbook_reproducibly(
        build_template(lang=lang, mission=mission, coders=coders), path
    )
