"""Personal data: detection by form type and name, by content, and the keyed hash of respondent ids."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest
from _ingest_forms import answers, kobo_export, standard_form

import mande
from mande.ingest.privacy import hash_ids, personal_by_content, personal_by_name


@pytest.mark.parametrize(
    ("name", "qtype", "why"),
    [
        ("resp_name", "text", "by its name"),
        ("nom_enquete", "text", "by its name"),
        ("prénom", "text", "by its name"),
        ("telephone", "text", "by its name"),
        ("téléphone_2", "text", "by its name"),
        ("tel", "text", "by its name"),
        ("email", "text", "by its name"),
        ("contact_chef", "text", "by its name"),
        ("position", "geopoint", "exact GPS position"),
        ("dev", "deviceid", "device identifier"),
        ("sim", "simserial", "SIM identifier"),
        ("u", "username", "enumerator account"),
        ("_submitted_by", None, "account that submitted the form"),
        ("location/_gps_latitude", None, "exact GPS position"),
        ("phonenumber", None, "phone number"),
    ],
)
def test_personal_by_type_and_name(name: str, qtype: str | None, why: str) -> None:
    reason = personal_by_name(name, qtype)
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "name", ["village", "hh_size", "trust_police", "comments", "hotel_stay", "telling"]
)
def test_not_personal_by_name(name: str) -> None:
    assert personal_by_name(name, "text") is None


def test_personal_by_content() -> None:
    assert (
        personal_by_content(pd.Series(["RAS", "joindre awa.k@mail.cf svp"]))
        == "free text holding e-mail addresses"
    )
    for phone in ("+236 75 12 34 56", "75123456", "00236-72-11-22-33", "(+236) 72.11.22.33"):
        assert (
            personal_by_content(pd.Series(["ok", f"appeler {phone}"]))
            == "free text holding phone numbers"
        ), phone
    assert (
        personal_by_content(pd.Series(["2025-03-14", "14/03/2025", "12 personnes", "3 km"])) is None
    )
    names = frozenset({"ndakala", "clarisse"})
    assert (
        personal_by_content(pd.Series(["vu avec Clarisse hier"]), names)
        == "free text holding respondents' names"
    )
    assert personal_by_content(pd.Series([101.5, 99.25])) is None
    assert personal_by_content(pd.Series([72112233.0])) == "numbers that look like phone numbers"


def test_hash_ids_is_hmac_sha256_with_the_secret() -> None:
    ids = pd.Series(["a", "b", None, "a"])
    out = hash_ids(ids, b"k")
    assert out.iloc[0] == hmac.new(b"k", b"a", hashlib.sha256).hexdigest() == out.iloc[3]
    assert pd.isna(out.iloc[2])
    assert hash_ids(ids, b"other").iloc[0] != out.iloc[0]


def test_no_personal_value_survives_ingest(tmp_path: Path) -> None:
    recs = answers(30, seed=9)
    for i, r in enumerate(recs):
        r["comments"] = f"revoir {r['resp_name'].split()[0]} demain" if i == 4 else "RAS"
    form = mande.read_xlsform(standard_form(tmp_path / "form.xlsx"))
    rnd = mande.read_survey(
        kobo_export(tmp_path / "r.xlsx", recs), form, secret=b"s", max_bytes=10**7
    )
    personal = set()
    for r in recs:
        personal |= {r["resp_name"], r["resp_phone"], r["gps"], r["deviceid"], r["_uuid"]}
        personal |= set(r["resp_name"].split())
    lat = {float(str(r["gps"]).split()[0]) for r in recs} - {4.0}  # 4.0 is also a code
    for col in rnd.responses.columns:
        for v in rnd.responses[col].dropna().unique():
            assert str(v) not in personal, (col, v)
            if isinstance(v, float):
                assert v not in lat, col
            else:
                assert not any(p in str(v) for p in personal), (col, v)
    reasons = {r.column: r.reason for r in rnd.report.removed}
    assert reasons["comments"] == "free text holding respondents' names"
    assert reasons["resp_name"].startswith("name, phone number")
    assert reasons["gps"] == "exact GPS position"
    assert reasons["_gps_latitude"] == "exact GPS position"
    assert reasons["deviceid"] == "device identifier"
    assert reasons["_uuid"].startswith("respondent id, replaced by a keyed hash")
    assert rnd.report.counts["columns_removed"] == len(rnd.report.removed)
    assert list(rnd.report.removed_frame().columns) == ["column", "reason"]
