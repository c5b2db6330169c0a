"""Scoring rules on small hand-made frames, non-substantive answers, Cronbach's alpha."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mande.errors import DataValidationError
from mande.indicators.catalogue import load_catalogue
from mande.indicators.scoring import cronbach_alpha, score_codes, score_measure

NAN = np.nan
CAT = load_catalogue()


def scored(df: pd.DataFrame, measure_id: str, cat=CAT):  # type: ignore[no-untyped-def]
    return score_measure(df, cat.measure(measure_id), cat)


def as_list(s: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in s]


def test_score_codes_success_exclude_count_as_failure() -> None:
    codes = pd.Series([1, 2, 3, 4, 7, 98, 99, NAN], name="safe_dark")
    out = score_codes(
        codes, [1, 2], exclude=[98, 99], count_as_failure=[7], valid=[1, 2, 3, 4, 7, 98, 99]
    )
    assert as_list(out) == [1, 1, 0, 0, 0, None, None, None]
    with pytest.raises(DataValidationError) as info:
        score_codes(pd.Series([1, 5, 5], name="safe_day"), [1, 2], valid=[1, 2, 3, 4, 98, 99])
    assert info.value.problems[0].column == "safe_day" and info.value.problems[0].value == "5"
    assert "2 answers are '5'" in str(info.value)


def test_saf01_never_alone_counts_as_not_safe_dont_know_excluded() -> None:
    df = pd.DataFrame({"safe_dark": [1, 2, 3, 4, 7, 7, 98, 99, NAN]})
    s = scored(df, "SAF-01")
    assert as_list(s.score) == [1, 1, 0, 0, 0, 0, None, None, None]
    f = s.flags.sum()
    assert (f["n_never_alone"], f["n_dont_know"], f["n_refused"]) == (2, 1, 1)
    assert (f["excluded"], f["missing"]) == (2, 1)
    # codes read as text (a CSV export) give the same scores
    text = scored(
        pd.DataFrame({"safe_dark": ["1", "2", "3", "4", "7", "7", "98", "99", None]}), "SAF-01"
    )
    assert as_list(text.score) == as_list(s.score)


def test_inc01_three_to_five_dont_know_excluded_and_counted() -> None:
    df = pd.DataFrame({"say_government": [1, 2, 3, 4, 5, 98, 98, 99]})
    s = scored(df, "INC-01")
    assert as_list(s.score) == [0, 0, 1, 1, 1, None, None, None]
    assert s.flags["n_dont_know"].sum() == 2 and s.flags["excluded"].sum() == 3


def test_vic01_universe_is_the_victims() -> None:
    df = pd.DataFrame(
        {
            "victim": [1, 1, 1, 1, 0, 98, NAN],
            "victim_reported": [1, 0, 98, NAN, NAN, NAN, 1],
        }
    )
    s = scored(df, "VIC-01")
    assert as_list(s.score) == [1, 0, None, None, None, None, None]
    assert s.flags["in_universe"].tolist() == [True] * 4 + [False] * 3
    assert s.flags["n_dont_know"].tolist() == [False, False, True] + [False] * 4
    assert s.flags["excluded"].sum() == 1 and s.flags["missing"].sum() == 1


def dis_frame(ticks: list[str | None]) -> pd.DataFrame:
    choices = CAT.measure("DIS-01").indicator.items
    assert choices == ("discrimination",)
    names = ["sex", "age", "ethnicity", "religion", "disability", "displacement", "political"]
    names += ["economic", "other", "none", "dk", "refused"]
    data = {
        f"discrimination__{c}": [int(t is not None and c in t.split()) for t in ticks]
        for c in names
    }
    frame = pd.DataFrame(data)
    blank = [t is None for t in ticks]
    frame.loc[blank, :] = NAN
    return frame


def test_dis01_any_ground_none_dk_refused_and_per_ground() -> None:
    df = dis_frame(["ethnicity", "sex religion", "none", "dk", "refused", None, "other"])
    s = scored(df, "DIS-01")
    assert as_list(s.score) == [1, 1, 0, None, None, None, 1]
    assert s.flags["n_dont_know"].sum() == 1 and s.flags["n_refused"].sum() == 1
    assert s.flags["excluded"].sum() == 2 and s.flags["missing"].sum() == 1
    eth = scored(df, "DIS-01.ethnicity")
    assert as_list(eth.score) == [1, 0, 0, None, None, None, 0]  # same denominator as DIS-01
    rel = scored(df, "DIS-01.religion")
    assert as_list(rel.score) == [0, 1, 0, None, None, None, 0]
    bad = df.copy()
    bad.loc[0, "discrimination__sex"] = 2
    with pytest.raises(DataValidationError, match="discrimination__sex"):
        scored(bad, "DIS-01")


def test_srv01_not_used_is_excluded_and_counted() -> None:
    df = pd.DataFrame({"sat_health": [1, 2, 3, 4, 97, 97, 98]})
    s = scored(df, "SRV-01.health")
    assert as_list(s.score) == [1, 1, 0, 0, None, None, None]
    assert s.flags["n_not_applicable"].sum() == 2 and s.flags["excluded"].sum() == 3


@pytest.mark.parametrize(
    ("measure", "item", "codes", "expected"),
    [
        ("SAF-02", "safe_day", [1, 2, 3, 4, 98], [1, 1, 0, 0, None]),
        ("SAF-03", "security_trend", [1, 2, 3, 99], [1, 0, 0, None]),
        ("TRU-01.courts", "trust_courts", [0, 1, 2, 3, 98], [0, 0, 1, 1, None]),
        ("ID-01", "identity", [1, 2, 3, 4, 5, 99], [0, 0, 1, 1, 1, None]),
        ("COH-01", "unfair_treatment", [0, 1, 2, 3, 98], [0, 0, 1, 1, None]),
        ("MIS-01", "mission_satisfaction", [1, 2, 3, 4, 98], [1, 1, 0, 0, None]),
        ("MIS-02", "mission_stay", [1, 2, 3, 4, 99], [1, 1, 0, 0, None]),
        ("MIS-03", "mission_impartial", [1, 2, 3, 4, 98], [1, 1, 0, 0, None]),
        ("MIS-04", "warn_mission", [1, 0, 98, 99], [1, 0, None, None]),
    ],
)
def test_single_item_rules(measure: str, item: str, codes: list[int], expected: list) -> None:
    s = scored(pd.DataFrame({item: codes}), measure)
    assert as_list(s.score) == expected


def test_inc03_mean_of_indicators_needs_both_answers() -> None:
    df = pd.DataFrame(
        {
            "say_government": [1, 3, 5, 98, 4, NAN],
            "influence_politics": [1, 1, 4, 3, 98, 2],
        }
    )
    s = scored(df, "INC-03")
    assert as_list(s.score) == [0, 0.5, 1, None, None, None]
    assert s.components is not None and list(s.components.columns) == ["INC-01", "INC-02"]
    assert s.flags["n_dont_know"].tolist() == [False, False, False, True, True, False]
    assert s.flags["excluded"].sum() == 2 and s.flags["missing"].sum() == 1


def test_user_mean_and_index_definitions(tmp_path: Path) -> None:
    base = {
        "name": {"en": "x", "fr": "x"},
        "short_name": {"en": "x", "fr": "x"},
        "description": "x",
        "domain": "state",
        "source": "test",
        "sg_section": "state_authority",
        "polarity": "up",
    }
    mean = {**base, "id": "TST-M", "kind": "mean", "items": ["trust_police"]}
    mean["scoring"] = {"exclude": [98, 99]}
    index = {**base, "id": "TST-I", "kind": "index_0_100", "items": ["trust_police", "trust_army"]}
    index["scoring"] = {"exclude": [98, 99], "min_valid": 1}
    index_c = {**base, "id": "TST-C", "kind": "index_0_100", "components": ["TST-M", "MIS-04"]}
    for raw in (mean, index, index_c):
        (tmp_path / f"{raw['id']}.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    cat = load_catalogue(tmp_path)
    assert cat["TST-M"].unit == "mean" and cat["TST-I"].unit == "index"
    assert cat["TST-C"].items == ("trust_police", "warn_mission")
    df = pd.DataFrame(
        {
            "trust_police": [0, 3, 2, 98],
            "trust_army": [3, 98, 99, 1],
            "warn_mission": [1, 0, 98, 1],
        }
    )
    assert as_list(scored(df, "TST-M", cat).score) == [0, 3, 2, None]
    # trust 0..3 rescaled to 0..100; mean of the valid items (min_valid: 1)
    assert as_list(scored(df, "TST-I", cat).score) == [
        50,
        100,
        pytest.approx(200 / 3),
        pytest.approx(100 / 3),
    ]
    # component TST-M rescaled by its scale (0..3), MIS-04 (0/1) times 100; both needed
    assert as_list(scored(df, "TST-C", cat).score) == [50, 50, None, None]


def test_cronbach_alpha_hand_computed() -> None:
    # items x1 = 1,2,3,4; x2 = 2,2,3,5; x3 = 1,3,3,4
    # item variances 5/3, 2, 4.75/3 -> sum 5.25; totals 4,7,9,13 -> variance 42.75/3 = 14.25
    # alpha = 3/2 * (1 - 5.25/14.25) = 18/19
    items = pd.DataFrame({"x1": [1, 2, 3, 4], "x2": [2, 2, 3, 5], "x3": [1, 3, 3, 4]})
    assert cronbach_alpha(items) == pytest.approx(18 / 19, rel=1e-12)
    # the same with an incomplete respondent (dropped) and through the covariance form
    more = pd.concat([items, pd.DataFrame({"x1": [5], "x2": [NAN], "x3": [1]})], ignore_index=True)
    assert cronbach_alpha(more) == pytest.approx(18 / 19, rel=1e-12)
    c = np.cov(items.to_numpy(float), rowvar=False)
    assert cronbach_alpha(items) == pytest.approx(1.5 * (1 - np.trace(c) / c.sum()), rel=1e-12)
    assert np.isnan(cronbach_alpha(items[["x1"]]))
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1, 1], "b": [2, 2]})))
