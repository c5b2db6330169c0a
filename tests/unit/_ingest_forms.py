"""Forms and exports built in tests of survey ingest (no dependence on sample_data).

``standard_form`` writes an XLSForm with every standard item (question name = item name, choice
name = code, labels in English and French); ``kobo_export`` writes an export of it the way
KoboToolbox does (group paths, split select_multiple columns, GPS parts, metadata).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

from mande.indicators.items import standard_items

REGIONS = {
    "VD01": ("Bangora", "Bangora", ["VD0101", "VD0102"]),
    "VD02": ("Upper Kessi", "Haute-Kessi", ["VD0201", "VD0202"]),
    "VD03": ("Mbali", "Mbali", ["VD0301", "VD0302"]),
}
GROUP_OF = {
    "breakdown": "respondent",
}
SURVEY_COLS = [
    "type",
    "name",
    "label::English (en)",
    "label::Français (fr)",
    "relevant",
    "required",
]
CHOICE_COLS = ["list_name", "name", "label::English (en)", "label::Français (fr)"]


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> Path:
    wb = openpyxl.Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(list(r))
    wb.save(path)
    return path


def _group(name: str, role: str) -> str:
    if role == "breakdown":
        return "respondent"
    if name.startswith(("safe", "security", "victim")):
        return "security"
    if name.startswith(("mission", "warn")):
        return "mission"
    return "state"


def standard_form_rows(version: str = "2025.1") -> dict[str, list[list[Any]]]:
    items = standard_items()
    survey: list[list[Any]] = [SURVEY_COLS]
    choices: list[list[Any]] = [CHOICE_COLS]
    survey += [
        ["start", "start", "", "", "", ""],
        ["end", "end", "", "", "", ""],
        ["today", "today", "", "", "", ""],
        ["deviceid", "deviceid", "", "", "", ""],
        ["text", "resp_name", "Respondent's name", "Nom de l'enquêté(e)", "", ""],
        ["text", "resp_phone", "Phone number", "Numéro de téléphone", "", ""],
        ["geopoint", "gps", "Location", "Position", "", ""],
    ]
    current = None
    for name, item in items.items.items():
        g = _group(name, item.role)
        if g != current:
            if current is not None:
                survey.append(["end group", "", "", "", "", ""])
            survey.append(["begin group", g, g.title(), g.title(), "", ""])
            current = g
        lab = item.label
        relevant = "${victim} = 1" if item.relevant else ""
        if item.kind == "integer":
            survey.append(["integer", name, lab["en"], lab["fr"], "", "yes"])
            continue
        kind = item.kind
        survey.append([f"{kind} {name}", name, lab["en"], lab["fr"], relevant, "yes"])
        if name == "region":
            for code, (en, fr, _) in REGIONS.items():
                choices.append(["region", code, en, fr])
        elif name == "admin2":
            for _, (en, fr, subs) in REGIONS.items():
                for i, s in enumerate(subs):
                    choices.append(["admin2", s, f"{en} {i + 1}", f"{fr} {i + 1}"])
        else:
            for code, labels in (item.choices or {}).items():
                choices.append([name, str(code), labels["en"], labels["fr"]])
            for code in item.non_substantive:
                labels = items.non_substantive[code]
                choices.append([name, str(code), labels["en"], labels["fr"]])
    survey.append(["end group", "", "", "", "", ""])
    survey.append(["text", "comments", "Comments", "Commentaires", "", ""])
    survey.append(["integer", "hh_size", "Household size", "Taille du ménage", "", ""])
    settings = [
        ["form_title", "form_id", "version", "default_language"],
        ["Perception survey", "perception_survey", version, "English (en)"],
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def standard_form(path: Path, version: str = "2025.1") -> Path:
    rows = standard_form_rows(version)
    return write_xlsx(path, [(k, v) for k, v in rows.items()])


def answers(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """n respondents' answers as XML values (codes), plus design and personal fields."""
    rng = np.random.default_rng(seed)
    items = standard_items()
    out = []
    regions = list(REGIONS)
    for i in range(n):
        reg = regions[i % len(regions)]
        rec: dict[str, Any] = {
            "_uuid": f"uuid-{seed}-{i:05d}",
            "start": dt.datetime(2025, 3, 1 + i % 20, 9, 30),
            "end": dt.datetime(2025, 3, 1 + i % 20, 10, 5),
            "today": dt.date(2025, 3, 1 + i % 20),
            "deviceid": f"collect:ABCDEF{i:06d}",
            "resp_name": f"Zenabou Kassindja{i}",
            "resp_phone": f"+236 75 {i % 100:02d} {i % 97:02d} 11",
            "gps": f"4.{i:04d} 18.{i:04d} 370 5",
            "comments": "RAS" if i % 3 else f"rappeler au +236 72 11 {i % 100:02d} 33",
            "hh_size": int(rng.integers(1, 12)),
            "stratum": f"{reg}-{'U' if i % 2 else 'R'}",
            "cluster_id": f"{reg}-C{i % 6}",
            "weight_final": float(rng.uniform(50, 150)),
            "region": reg,
            "admin2": REGIONS[reg][2][i % 2],
        }
        for name, item in items.items.items():
            if name in ("region", "admin2"):
                continue
            if item.kind == "integer":
                rec[name] = int(rng.integers(18, 80))
            elif item.kind == "select_multiple":
                chosen = [c for c in list(item.choices or {})[:8] if rng.random() < 0.2]
                rec[name] = chosen or ["none"]
            else:
                codes = list(item.codes)
                rec[name] = codes[int(rng.integers(0, len(codes)))]
        if rec["victim"] != 1:
            rec["victim_reported"] = None
        out.append(rec)
    return out


def kobo_export(
    path: Path,
    recs: list[dict[str, Any]],
    *,
    labels: str | None = None,
    header: str = "path",
    version: str = "2025.1",
    split_multiple: bool = True,
) -> Path:
    """Write an export like Kobo's: ``labels`` None (XML values), "en" or "fr" (labels).

    ``header``: "path" (group/name), "name", "dash" (group-name), "dot" (group.name) or "label".
    The file type follows the extension (.xlsx or .csv; CSV written with ';' in cp1252 when
    ``labels == 'fr'``, to test sniffing).
    """
    items = standard_items()
    rows = standard_form_rows(version)
    lang_col = {"en": 2, "fr": 3}
    choice_label: dict[tuple[str, str], str] = {}
    for r in rows["choices"][1:]:
        if labels:
            choice_label[(r[0], str(r[1]))] = r[lang_col[labels]]
    qlabel: dict[str, str] = {}
    qgroup: dict[str, str] = {}
    group = ""
    for r in rows["survey"][1:]:
        if r[0] == "begin group":
            group = r[1]
        elif r[0] == "end group":
            group = ""
        else:
            qlabel[r[1]] = r[lang_col[labels or "en"]] or r[1]
            qgroup[r[1]] = group

    def head(name: str) -> str:
        g = qgroup.get(name, "")
        if header == "label":
            return qlabel.get(name) or name
        if header == "name" or not g:
            return name
        sep = {"path": "/", "dash": "-", "dot": "."}[header]
        return f"{g}{sep}{name}"

    def val(name: str, v: Any) -> Any:
        if v is None:
            return ""
        if labels and name in items and items[name].kind == "select_one":
            return choice_label[(name, str(v))]
        return v

    columns: list[str] = []
    cells: list[list[Any]] = []
    fields = ["start", "end", "today", "deviceid", "resp_name", "resp_phone", "gps"]
    fields += [n for n in items.items]
    fields += ["comments", "hh_size"]
    for rec in recs:
        row: list[Any] = []
        cols: list[str] = []
        for f in fields:
            v = rec.get(f)
            if f in items and items[f].kind == "select_multiple":
                chosen = v or []
                txt = " ".join(choice_label[f, c] for c in chosen) if labels else " ".join(chosen)
                cols.append(head(f))
                row.append(txt)
                if split_multiple:
                    for c in items[f].choices or {}:
                        cols.append(
                            f"{head(f)}/{choice_label[(f, c)] if labels and header == 'label' else c}"
                        )
                        row.append(1 if c in chosen else 0)
                continue
            cols.append(head(f))
            row.append(val(f, v))
            if f == "gps":
                for part in ("latitude", "longitude", "altitude", "precision"):
                    cols.append(f"_gps_{part}")
                    row.append(float(str(v).split()[0]) if part == "latitude" else 18.0)
        for f in ("stratum", "cluster_id", "weight_final"):
            cols.append(f)
            row.append(rec[f])
        for f, v in (
            ("_id", len(cells) + 1),
            ("_uuid", rec["_uuid"]),
            ("_submission_time", rec["start"]),
            ("__version__", version),
            ("_index", len(cells) + 1),
        ):
            cols.append(f)
            row.append(v)
        columns = cols
        cells.append(row)
    if path.suffix == ".csv":
        enc = "cp1252" if labels == "fr" else "utf-8"
        delim = ";" if labels == "fr" else ","
        with open(path, "w", newline="", encoding=enc, errors="replace") as fh:
            w = csv.writer(fh, delimiter=delim)
            w.writerow(columns)
            for r in cells:
                w.writerow(
                    [
                        "" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v)
                        for v in r
                    ]
                )
        return path
    return write_xlsx(path, [("perception_survey", [columns, *cells])])
