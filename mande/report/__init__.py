"""Secretary-General reporting: periods, the Excel annex, the narrative draft.

``make_report(store_or_inputs, period, out, docx=None, lang="en")`` does what ``mande report``
does: build the period's :class:`ReportData`, write the annex and, when asked, the Word draft.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mande.report.annex import describe_annex, write_annex
from mande.report.build import (
    PartnersInputs,
    ReportData,
    ReportInputs,
    build_report_data,
    partners_inputs,
)
from mande.report.narrative import narrative_paragraphs, write_narrative
from mande.report.periods import ReportingPeriod, get_period, reporting_periods

__all__ = [
    "PartnersInputs",
    "ReportData",
    "ReportInputs",
    "ReportingPeriod",
    "build_report_data",
    "check_extension",
    "describe_annex",
    "get_period",
    "make_report",
    "narrative_paragraphs",
    "partners_inputs",
    "reporting_periods",
    "write_annex",
    "write_narrative",
]


def check_extension(path: str | Path, suffix: str, what: str) -> None:
    """Fail when ``path`` does not end in ``suffix`` (case-insensitive)."""
    from mande.errors import MandeError

    got = Path(path).suffix
    if got.lower() != suffix:
        raise MandeError(
            f"{what} is written as {suffix}, but the file name {str(path)!r} ends in "
            f"{got or 'no extension'}; give a name ending in {suffix}, e.g. "
            f"{Path(path).with_suffix(suffix).name!r}"
        )


def make_report(
    store_or_inputs: Any,
    period: str | dt.date | ReportingPeriod,
    out: str | Path,
    docx: str | Path | None = None,
    lang: str = "en",
    *,
    trend_models: bool = True,
) -> ReportData:
    """Build the report for ``period`` and write the annex to ``out`` (and the draft to ``docx``).

    Returns the :class:`ReportData` the files were written from. From a store, the annex's
    Trends sheet holds the trend models of the headline indicators (``trend_models=False`` leaves
    them out, which is faster).

    Raises
    ------
    MandeError
        When ``out`` does not end in ``.xlsx`` or ``docx`` in ``.docx`` (checked before anything
        is computed or written, so that a Word name never holds a workbook).
    """
    check_extension(out, ".xlsx", "the annex (--out)")
    if docx is not None:
        check_extension(docx, ".docx", "the draft (--docx)")
    data = build_report_data(store_or_inputs, period, lang, trend_models=trend_models)
    write_annex(data, out, lang)
    if docx is not None:
        write_narrative(data, docx, lang)
    return data
