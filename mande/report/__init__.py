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
    "describe_annex",
    "get_period",
    "make_report",
    "narrative_paragraphs",
    "partners_inputs",
    "reporting_periods",
    "write_annex",
    "write_narrative",
]


def make_report(
    store_or_inputs: Any,
    period: str | dt.date | ReportingPeriod,
    out: str | Path,
    docx: str | Path | None = None,
    lang: str = "en",
) -> ReportData:
    """Build the report for ``period`` and write the annex to ``out`` (and the draft to ``docx``).

    Returns the :class:`ReportData` the files were written from.
    """
    data = build_report_data(store_or_inputs, period, lang)
    write_annex(data, out, lang)
    if docx is not None:
        write_narrative(data, docx, lang)
    return data
