"""Krippendorff's alpha: the published example, an independent implementation, the table."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest

import mande
from mande.errors import EstimationError
from mande.stats.reliability import reliability_table

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers (rows)
# x 12 units (columns), missing values as NaN.
PUBLISHED = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_published_values(level: str, expected: float) -> None:
    assert round(mande.krippendorff_alpha(PUBLISHED, level=level), 3) == expected


def test_dataframe_input_and_none_as_missing() -> None:
    frame = pd.DataFrame(PUBLISHED).astype(object).where(pd.notna(pd.DataFrame(PUBLISHED)), None)
    assert mande.krippendorff_alpha(frame, "interval") == pytest.approx(
        mande.krippendorff_alpha(PUBLISHED, "interval"), abs=1e-14
    )


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_krippendorff_package(level: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    coders, units = int(rng.integers(2, 7)), int(rng.integers(10, 80))
    truth = rng.integers(1, 6, size=units)
    data = np.clip(truth + rng.integers(-1, 2, size=(coders, units)), 1, 5).astype(float)
    data[rng.random(data.shape) < 0.3] = NAN
    ours = mande.krippendorff_alpha(data, level=level)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)  # type: ignore[arg-type]
    assert ours == pytest.approx(theirs, abs=1e-10)


def test_nominal_accepts_text_codes() -> None:
    data = [["a", "b", "a", None], ["a", "b", "b", "c"], ["a", None, "a", "c"]]
    numeric = np.array([[0, 1, 0, NAN], [0, 1, 1, 2], [0, NAN, 0, 2]])
    assert mande.krippendorff_alpha(data, "nominal") == pytest.approx(
        krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal")
    )


def test_undefined_and_bad_input_raise() -> None:
    with pytest.raises(EstimationError, match="undefined"):
        mande.krippendorff_alpha([[1, 1, 1], [1, 1, 1]], "ordinal")
    with pytest.raises(EstimationError, match="at least one unit"):
        mande.krippendorff_alpha([[1, NAN], [NAN, 2]], "ordinal")
    with pytest.raises(EstimationError, match="two-dimensional"):
        mande.krippendorff_alpha([1, 2, 3], "ordinal")
    with pytest.raises(EstimationError, match="level"):
        mande.krippendorff_alpha(PUBLISHED, "cardinal")
    with pytest.raises(EstimationError, match="numeric"):
        mande.krippendorff_alpha([["a", "b"], ["a", "a"]], "ordinal")


def test_reliability_table_counts_pairs_and_agreement() -> None:
    frame = pd.DataFrame(
        {
            "interview_id": ["i1", "i1", "i2", "i2", "i3", "i3", "i3", "i4"],
            "coder": ["A", "B", "A", "C", "A", "B", "C", "A"],
            "trust": [4, 4, 2, 3, 5, 5, 5, 1],
        }
    )
    table = reliability_table(frame, dimensions=["trust"])
    row = table.iloc[0]
    # units i1, i2, i3 (i4 coded once); pairs 1 + 1 + 3; agreeing pairs 1 + 0 + 3
    assert row["n_units"] == 3
    assert row["n_pairs"] == 5
    assert row["percent_agreement"] == pytest.approx(80.0)
    wide = frame.pivot(index="coder", columns="interview_id", values="trust")
    assert row["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=wide.to_numpy(float), level_of_measurement="ordinal")
    )
