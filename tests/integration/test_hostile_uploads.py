"""What a hostile upload can leave in the store and the outputs: nothing personal, nothing live.

The seeded-personal-data test uploads a survey export and a coding sheet seeded with names (after
a title, all-caps surnames, the mission's name lists), phone numbers, ID and passport numbers,
obfuscated e-mails, coordinates under an ordinary column name, a non-consented quote beginning
with "=", a partner organisation's name and ``village`` with ``hh_number``; then decodes every row
of every table (Parquet blobs, JSON fields, the stored form file), the log records and every output
file (``mande results --out`` as CSV and Excel, the Explorer and Partners CSV downloads, the annex
and the draft) and finds none of it. It runs on SQLite and PostgreSQL.

The formula scan uploads rounds and sheets whose labels, file names and quotes start with each
dangerous character and checks every CSV and Excel file the toolkit writes.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import mande
from mande.cli import app
from mande.errors import DataValidationError
from mande.output import DANGEROUS_PREFIXES, csv_bytes, is_live
from mande.partners.quality import select_quotes
from mande.store import Store
from mande.store import schema as t
from mande.store._blobs import _blob_to_frame

from .conftest import Backend

ROUND_CSV = "round3_2025-11.csv"
NAME_LIST = ["Doumbaye", "Yakité"]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


# --------------------------------------------------------------------------------------------
# Seeded files


def _export(sample_files: Path, n: int = 200) -> pd.DataFrame:
    """The first ``n`` consenting interviews of a sample round, with design weights."""
    df = pd.read_csv(sample_files / "rounds" / ROUND_CSV, sep=";", dtype=str, keep_default_na=False)
    consent = next(c for c in df.columns if c.endswith("consent"))
    df = df[~df[consent].isin(["0", "Non", "No"])].head(n).reset_index(drop=True)
    if not any(c.endswith("weight_final") for c in df.columns):
        df["weight_final"] = [f"{1 + (i % 7) * 0.25:g}" for i in range(len(df))]
    return df


def export_file(sample_files: Path, out: Path, n: int = 200) -> Path:
    return _write(_export(sample_files, n), out)


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
    return path


def seeded_survey(sample_files: Path, tmp: Path) -> tuple[Path, Path, list[str]]:
    """(refused file, accepted file, the personal strings seeded or present in them)."""
    df = _export(sample_files)
    needles: list[str] = []
    for col in ("respondent/resp_name", "respondent/resp_phone"):
        needles += [v for v in df[col].head(20) if len(v) >= 6]
    villages = sorted({v for v in df["location/village"] if len(v) >= 6})
    mission_text = _fold((sample_files / "mission.yaml").read_text(encoding="utf-8"))
    needles += [v for v in villages if _fold(v) not in mission_text][:10]
    seeds = [
        "Témoin: Paul Gbangou a vu l'attaque",
        "selon la présidente NGAÏKOSSÉ Léa, rien n'a changé",
        "mon passeport n° AB1234567 a été pris",
        "écrire à jean.yakite [at] gmail [dot] com",
        "appeler le +236 75 12 34 56",
        "Yakité Doumbaye était là",
    ]
    for i, text in enumerate(seeds):
        df.loc[i, "comments"] = text
    needles += ["Gbangou", "NGAÏKOSSÉ", "AB1234567", "jean.yakite", "75 12 34 56", *NAME_LIST]
    # coordinates with six decimals under ordinary names
    df["x_coord"] = [f"{18.5 + i * 0.000731:.6f}" for i in range(len(df))]
    df["y_coord"] = [f"{4.3 + i * 0.000517:.6f}" for i in range(len(df))]
    needles += list(df["x_coord"].head(5)) + list(df["y_coord"].head(5))
    accepted = _write(df, tmp / "seeded_round.csv")
    bad = df.copy()
    bad.loc[3, "respondent/age"] = "Marie-Claire KOYASSÉ 75123456"
    needles += ["KOYASSÉ", "75123456"]
    refused = _write(bad, tmp / "seeded_refused.csv")
    return refused, accepted, needles


def seeded_sheet(sample_files: Path, tmp: Path) -> tuple[Path, list[str]]:
    wb = openpyxl.load_workbook(sample_files / "interviews" / "coding_2024-10.xlsx")
    ws = wb["interviews"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Quote"]).value]
    needles = [
        str(ws.cell(r, col["Interviewee name"]).value)
        for r in range(2, 30)
        if ws.cell(r, col["Interviewee name"]).value
    ][:10]
    needles += [
        str(ws.cell(r, col["Interviewee phone"]).value)
        for r in range(2, 30)
        if ws.cell(r, col["Interviewee phone"]).value
    ][:10]
    secret_quote, kept_quote = rows[0], rows[1]
    ws.cell(secret_quote, col["Quote"]).value = "=Mme Odette Zanga (+236 72 00 11 22) a tout vu"
    ws.cell(secret_quote, col["Consent to quote"]).value = "no"
    ws.cell(kept_quote, col["Partner organisation"]).value = "Association Femmes Debout de Bria"
    ws.cell(kept_quote, col["Quote"]).value = (
        "La présidente NGAÏKOSSÉ Léa de l'Association Femmes Debout de Bria dit: appelez le "
        "75 44 33 22, passeport P 4455667, écrire à awa.doko [at] ong [dot] org"
    )
    ws.cell(kept_quote, col["Consent to quote"]).value = "yes"
    ws.cell(kept_quote, col["Coder's notes"]).value = "vu chez M. Simplice Ouangolo"
    needles += [
        "Odette",
        "Zanga",
        "72 00 11 22",
        "Femmes Debout",
        "75 44 33 22",
        "4455667",
        "awa.doko",
        "Ouangolo",
    ]
    path = tmp / "seeded_sheet.xlsx"
    wb.save(path)
    return path, needles


def seeded_mission(sample_files: Path, tmp: Path) -> Path:
    """The sample mission with its name lists for the personal-data gate."""
    text = (sample_files / "mission.yaml").read_text(encoding="utf-8")
    (tmp / "regions.geojson").write_bytes((sample_files / "regions.geojson").read_bytes())
    path = tmp / "mission.yaml"
    path.write_text(text + "\nprivacy:\n  names: [" + ", ".join(NAME_LIST) + "]\n", "utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Reading back everything


def _blob_text(data: bytes) -> str:
    try:
        return _blob_to_frame(data).to_csv(index=False)
    except Exception:
        pass
    return _file_text(data)


def _file_text(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(
                zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if not n.endswith("/")
            )
    return data.decode("utf-8", "replace")


def store_texts(store: Store) -> dict[str, str]:
    """Every row of every table as text, blobs decoded, JSON parsed and dumped without escapes."""
    out: dict[str, str] = {}
    with store.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            parts: list[str] = []
            for row in conn.execute(sa.select(table)).mappings():
                for key, value in row.items():
                    if isinstance(value, bytes | memoryview):
                        parts.append(_blob_text(bytes(value)))
                    elif isinstance(value, str) and value[:1] in "[{":
                        try:
                            parts.append(json.dumps(json.loads(value), ensure_ascii=False))
                        except ValueError:
                            parts.append(value)
                    else:
                        parts.append(f"{key}={value}")
            out[table.name] = "\n".join(parts)
    return out


def output_text(path: Path) -> str:
    data = path.read_bytes()
    text = _file_text(data)
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        text += "\n".join(
            str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
        )
    return text


def find(needles: list[str], texts: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for where, text in texts.items():
        low, folded = text.casefold(), _fold(text)
        for n in needles:
            if n.casefold() in low or _fold(n) in folded:
                found.append((where, n))
    return found


# --------------------------------------------------------------------------------------------
# The tests


def _outputs(store: Store, backend: Backend, settings: mande.Settings, out: Path) -> list[Path]:
    """Every CSV and Excel file (and the draft) the toolkit writes, from the store's contents."""
    runner = CliRunner()
    env = {
        "MANDE_DATABASE_URL": backend.url,
        "MANDE_SECRET": "test",
        "MANDE_DATA_DIR": str(settings.data_dir),
    }
    files = []
    for name in ("results.csv", "results.xlsx"):
        res = runner.invoke(app, ["results", "--out", str(out / name)], env=env)
        assert res.exit_code == 0, res.output
        files.append(out / name)
    results = store.results()
    (out / "explorer.csv").write_bytes(csv_bytes(results))
    quotes = select_quotes(store.quotes(), n=50, seed=1, lang="en")
    (out / "partners.csv").write_bytes(csv_bytes(quotes))
    files += [out / "explorer.csv", out / "partners.csv"]
    periods = sorted({p for p in store.rounds()["period"].dropna()})
    if periods:
        mande.make_report(
            store, periods[-1], out / "annex.xlsx", docx=out / "draft.docx", trend_models=False
        )
        files += [out / "annex.xlsx", out / "draft.docx"]
    return files


def test_nothing_personal_in_the_store_the_log_or_the_outputs(
    store: Store,
    backend: Backend,
    settings: mande.Settings,
    sample_files: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = store.as_user("chief", "admin")
    admin.set_mission(seeded_mission(sample_files, tmp_path))
    refused, accepted, needles = seeded_survey(sample_files, tmp_path)
    sheet, sheet_needles = seeded_sheet(sample_files, tmp_path)
    needles += sheet_needles
    form = sample_files / "forms" / "perception_survey.xlsx"
    inputs = {p.name: output_text(p) for p in (refused, accepted, sheet)}
    seen = {n for _, n in find(needles, inputs)}
    assert seen == set(needles) and len(seen) > 40  # every needle is really in the uploads

    with pytest.raises(DataValidationError) as err:
        store.ingest_survey(refused, form, "2025-R3")
    shown = "\n".join(str(p) for p in err.value.problems)
    assert "row 5" in shown and "respondent/age" in shown  # where, without the cell
    assert not find(needles, {"refusal": str(err.value) + shown})

    result = store.ingest_survey(accepted, form, "2025-R3")
    assert result.created
    iv = store.ingest_interviews(sheet, label="coding 2024-10")
    assert iv.created
    responses = store.responses("2025-R3")
    assert "hh_number" not in responses and "x_coord" not in responses
    assert responses["village"].str.fullmatch(r"V[a-p]{12}").all()
    quotes = store.quotes()
    kept = quotes[quotes["text"].str.contains("présidente", regex=False)]
    assert len(kept) == 1 and "[name]" in kept["text"].iloc[0]

    texts = store_texts(admin)
    # the mission's own name lists are configuration, not uploaded data: kept with the mission
    missions = texts.pop("missions")
    assert not find([n for n in needles if n not in NAME_LIST], {"missions": missions})
    files = _outputs(admin, backend, settings, tmp_path)
    assert {p.name for p in files} >= {"results.csv", "results.xlsx", "partners.csv", "annex.xlsx"}
    texts |= {f"file {p.name}": output_text(p) for p in files}
    texts["log"] = "\n".join(r.getMessage() for r in caplog.records)
    assert len(texts) > 15
    assert find(needles, texts) == []


DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]


def _cells(path: Path) -> list[tuple[str, object, bool, str | None]]:
    """(where, value, quote prefix, data type) of every cell of a CSV or Excel file."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        return [
            (f"{path.name}:{i}", v, False, None)
            for i, row in enumerate(csv.reader(io.StringIO(text, newline="")))
            for v in row
        ]
    wb = openpyxl.load_workbook(path)
    return [
        (f"{path.name}:{ws.title}!{c.coordinate}", c.value, bool(c.quotePrefix), c.data_type)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


def _number(v: object) -> bool:
    try:
        float(str(v))
    except ValueError:
        return False
    return True


def test_no_output_cell_is_live(
    tmp_path: Path, sample_files: Path, settings: mande.Settings
) -> None:
    backend = Backend("sqlite", f"sqlite:///{tmp_path / 'live.db'}")
    store = Store.open(backend.url, settings)
    try:
        admin = store.as_user("chief", "admin")
        admin.set_mission(sample_files / "mission.yaml")
        form = sample_files / "forms" / "perception_survey.xlsx"
        base = _export(sample_files)
        labels_refused = 0
        for c in DANGEROUS:
            with pytest.raises(DataValidationError):
                store.ingest_survey(_write(base, tmp_path / "x.csv"), form, c + "HYPERLINK(1)")
            labels_refused += 1
        df = base.copy()
        for k, c in enumerate(DANGEROUS):  # free-text answers kept as an unmapped question
            df.loc[k, "comments"] = c + "cmd|' /C calc'!A0"
        assert store.ingest_survey(_write(df, tmp_path / "=cmd.csv"), form, "R1").created
        wb = openpyxl.load_workbook(sample_files / "interviews" / "coding_2024-10.xlsx")
        ws = wb["interviews"]
        header = [cell.value for cell in ws[1]]
        q, consent = header.index("Quote") + 1, header.index("Consent to quote") + 1
        rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, q).value][: len(DANGEROUS)]
        for r, c in zip(rows, DANGEROUS, strict=True):
            ws.cell(r, q).value = c + "cmd|' /C calc'!A0 quote"
            ws.cell(r, consent).value = "yes"
        for c in DANGEROUS:  # file names (and the labels proposed from them)
            wb.save(tmp_path / f"{c}sheet.xlsx")
            store.ingest_interviews(tmp_path / f"{c}sheet.xlsx")
            ws.cell(rows[0], q).value = ws.cell(rows[0], q).value + "."  # a new file each time
        assert labels_refused == len(DANGEROUS)
        files = _outputs(admin, backend, settings, tmp_path)
        uploads = admin.history()
        assert not any(str(n).startswith(DANGEROUS_PREFIXES) for n in uploads["file_name"])
        assert not any(str(n).startswith(DANGEROUS_PREFIXES) for n in uploads["label"])
        assert len(uploads) == 1 + len(DANGEROUS)
    finally:
        store.close()
    partners = (tmp_path / "partners.csv").read_bytes().decode("utf-8-sig")
    assert "cmd|" in partners  # the hostile quotes did reach the download, escaped
    live = [
        (where, v)
        for path in files
        if path.suffix in (".csv", ".xlsx")
        for where, v, prefix, dtype in _cells(path)
        if is_live(v, quote_prefix=prefix, data_type=dtype) and not _number(v)
    ]
    assert live == []
    assert re.search(r"'[-=+@]cmd", partners)
