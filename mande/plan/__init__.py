"""Planning a survey round: how many interviews, where, and which villages the teams visit.

One module per concern:

- :mod:`~mande.plan.sample_size`: :func:`sample_size` for a target margin of error (Cochran) and
  :func:`expected_moe`, its inverse;
- :mod:`~mande.plan.allocate`: :func:`allocate` interviews between strata (proportional, equal,
  Neyman, power) with the expected margin of error of each;
- :mod:`~mande.plan.inclusion`: :func:`inclusion_probabilities` (R
  ``sampling::inclusionprobabilities``) and :func:`systematic_sample` (R ``UPsystematic``);
- :mod:`~mande.plan.select`: :func:`select_psus`, PPS systematic selection of villages within
  strata, with replacements;
- :mod:`~mande.plan.frame`: :func:`read_frame`, the village frame (CSV or spreadsheet), checked;
- :mod:`~mande.plan.round_plan`: :func:`plan_round` -> :class:`RoundPlan`, what the CLI and the
  Plan page show;
- :mod:`~mande.plan.plan_file`: :func:`write_plan`, the file the weighting step reads;
- :mod:`~mande.plan.field_list`: :func:`write_field_list`, the teams' workbook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mande._lazy import lazy_module

if TYPE_CHECKING:
    from mande.plan.allocate import METHODS, allocate
    from mande.plan.field_list import write_field_list
    from mande.plan.frame import FRAME_COLUMNS, check_frame, read_frame
    from mande.plan.inclusion import inclusion_probabilities, systematic_sample
    from mande.plan.plan_file import PLAN_COLUMNS, plan_table, write_plan
    from mande.plan.round_plan import RoundPlan, plan_round
    from mande.plan.sample_size import expected_moe, sample_size
    from mande.plan.select import SELECTION_COLUMNS, select_psus

# Public name -> the module that defines it; loaded on first use (PEP 562), so that the command
# line can register this package's commands without importing pandas. One name per line, sorted.
_LAZY: dict[str, str] = {
    "FRAME_COLUMNS": "mande.plan.frame",
    "METHODS": "mande.plan.allocate",
    "PLAN_COLUMNS": "mande.plan.plan_file",
    "RoundPlan": "mande.plan.round_plan",
    "SELECTION_COLUMNS": "mande.plan.select",
    "allocate": "mande.plan.allocate",
    "check_frame": "mande.plan.frame",
    "expected_moe": "mande.plan.sample_size",
    "inclusion_probabilities": "mande.plan.inclusion",
    "plan_round": "mande.plan.round_plan",
    "plan_table": "mande.plan.plan_file",
    "read_frame": "mande.plan.frame",
    "sample_size": "mande.plan.sample_size",
    "select_psus": "mande.plan.select",
    "systematic_sample": "mande.plan.inclusion",
    "write_field_list": "mande.plan.field_list",
    "write_plan": "mande.plan.plan_file",
}

__getattr__, __dir__ = lazy_module(__name__, _LAZY, globals())

__all__ = [
    "FRAME_COLUMNS",
    "METHODS",
    "PLAN_COLUMNS",
    "SELECTION_COLUMNS",
    "RoundPlan",
    "allocate",
    "check_frame",
    "expected_moe",
    "inclusion_probabilities",
    "plan_round",
    "plan_table",
    "read_frame",
    "sample_size",
    "select_psus",
    "systematic_sample",
    "write_field_list",
    "write_plan",
]
