"""Indicator results in the store: computed once per data and catalogue version, cached."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mande.errors import StoreError
from mande.indicators.compute import STANDARD_BREAKDOWNS
from mande.indicators.items import standard_items
from mande.roles import allowed
from mande.stats.design import SurveyDesign
from mande.store import _engine
from mande.store import schema as t
from mande.store._base import _now
from mande.store._blobs import _json_safe, catalogue_version
from mande.store._records import _Actor
from mande.store._surveys import _Surveys

#: The reported breakdowns (``reported_breakdowns`` in items.yaml), in report order.
DEFAULT_BREAKDOWNS: tuple[str, ...] = STANDARD_BREAKDOWNS


def _default_by(columns: Sequence[str]) -> list[str]:
    """The standard breakdowns the responses hold (age group and disability can be derived)."""
    have = set(columns)
    derivable = set(standard_items().derivable(have))
    return [c for c in DEFAULT_BREAKDOWNS if c in have or c in derivable]


_RESULT_INTS = (
    "n", "n_dont_know", "n_refused", "n_not_applicable", "n_never_alone", "n_excluded", "n_missing",
    "min_n",
)  # fmt: skip
_RESULT_BOOLS = ("suppressed", "low_precision", "single_psu")
_RESULT_TEXT = (
    "indicator", "base_indicator", "variant", "breakdown", "group", "name", "short_name", "kind",
    "unit", "polarity", "domain", "sg_section", "sdg",
)  # fmt: skip


def _py(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _result_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a results frame as values for the ``results`` table."""
    core = t.RESULT_CORE_COLUMNS
    extra_cols = [c for c in frame.columns if c not in core and c != "round"]
    out = []
    for rec in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for name, col in core.items():
            v = _py(rec.get(name))
            if v is not None:
                if name in _RESULT_INTS:
                    v = int(v)
                elif name in _RESULT_BOOLS:
                    v = bool(v)
                elif name in _RESULT_TEXT:
                    v = str(v)
                else:
                    v = float(v)
            row[col] = v
        extra = {str(c): _py(rec.get(c)) for c in extra_cols}
        row["extra_json"] = _json_safe(extra) if extra else None
        out.append(row)
    return out


_RESULT_ORDER = [
    "round", "round_version", "period", "indicator", "base_indicator", "variant", "breakdown",
    "group", "estimate", "se", "ci_low", "ci_high", "n", "df", "deff", "cv", "n_dont_know",
    "n_refused", "n_not_applicable", "n_never_alone", "n_excluded", "n_missing", "suppressed",
    "low_precision", "single_psu", "cronbach_alpha", "name", "short_name", "kind", "unit",
    "polarity", "domain", "sg_section", "sdg", "min_n", "level",
]  # fmt: skip


def _result_base(row: Any, label: str, cat_version: str) -> dict[str, Any]:
    """The columns every stored result row of a round version shares."""
    return {
        "round_version_id": row.id, "round_label": label, "round_version": row.version,
        "period_id": row.period_id, "data_version": row.content_sha256,
        "catalogue_version": cat_version,
    }  # fmt: skip


def _results_frame(rows: list[Mapping[str, Any]]) -> pd.DataFrame:
    """Stored result rows back as a results frame (extra columns expanded)."""
    rename = {v: k for k, v in t.RESULT_CORE_COLUMNS.items()}
    rename.update({"round_label": "round", "period_id": "period"})
    if not rows:
        return pd.DataFrame(columns=[*_RESULT_ORDER, "data_version", "catalogue_version"])
    df = pd.DataFrame([dict(r) for r in rows]).rename(columns=rename)
    extras = df["extra_json"].map(lambda s: json.loads(s) if s else {})
    extra_df = pd.DataFrame(extras.tolist(), index=df.index)
    for col in _RESULT_BOOLS:
        df[col] = df[col].astype("boolean")
    for col in (
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "deff",
        "cv",
        "cronbach_alpha",
        "level",
    ):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    for col in _RESULT_INTS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in [c for c in extra_df.columns if c in df.columns]:
        # rows stored before a column was typed keep its value in extra_json
        df[col] = df[col].where(df[col].notna(), extra_df[col]).infer_objects()
    extra_df = extra_df[[c for c in extra_df.columns if c not in df.columns]]
    out = pd.concat(
        [df[_RESULT_ORDER], extra_df, df[["data_version", "catalogue_version"]]], axis=1
    )
    return out


class _Results(_Surveys):
    """Indicator results of the current round versions, cached in the store."""

    # ---- results ---------------------------------------------------------------------------

    def results(
        self,
        round_label: str | None = None,
        *,
        by: Sequence[str] | None = None,
        catalogue: Any = None,
        compute: Callable[..., pd.DataFrame] | None = None,
        user: str | None = None,
        role: str | None = None,
    ) -> pd.DataFrame:
        """Indicator results of the current version of each round (or of ``round_label``).

        Returned from the stored rows when they were computed from the same data version and
        catalogue version with the same breakdowns; otherwise computed with
        :func:`mande.compute_indicators`, stored, and returned. Never stale: a change of current
        version or of the catalogue is a different key.

        Parameters
        ----------
        by:
            Breakdowns (default: those of :data:`DEFAULT_BREAKDOWNS` the responses hold).
        catalogue:
            The indicator catalogue (default :func:`mande.load_catalogue`). Its ``version`` (a
            hash of the definitions) is part of the cache key.
        compute:
            ``compute(responses, catalogue, by=[...], design=SurveyDesign)`` returning the results
            frame (default :func:`mande.compute_indicators`).
        """
        actor = self._actor(user, role)
        self._require(actor, "view", object_type="results", label=round_label)
        if catalogue is None:
            from mande.indicators.catalogue import load_catalogue

            catalogue = load_catalogue()
        cat_version = catalogue_version(catalogue)
        with _engine.read(self._engine) as conn:
            if round_label is None:
                labels = list(
                    conn.execute(
                        sa.select(t.rounds.c.label)
                        .join(t.round_versions, sa.and_(
                            t.round_versions.c.round_id == t.rounds.c.id,
                            t.round_versions.c.version == t.rounds.c.current_version))
                        .order_by(t.round_versions.c.fieldwork_start, t.rounds.c.label)
                    ).scalars()
                )  # fmt: skip
            else:
                labels = [round_label]
        frames = [
            self._results_of(label, by, catalogue, cat_version, actor, compute) for label in labels
        ]
        frames = [f for f in frames if len(f)]
        if not frames:
            return _results_frame([])
        return pd.concat(frames, ignore_index=True)

    def _results_of(
        self,
        label: str,
        by: Sequence[str] | None,
        catalogue: Any,
        cat_version: str,
        actor: _Actor,
        compute: Callable[..., pd.DataFrame] | None,
    ) -> pd.DataFrame:
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, label, None)
            columns = json.loads(
                conn.execute(
                    sa.select(t.responses.c.columns_json).where(t.responses.c.version_id == row.id)
                ).scalar_one()
            )
        by_eff = list(by) if by is not None else _default_by(columns)
        by_key = ",".join(by_eff)
        stored = self._stored_results(row.id, cat_version, by_key)
        if stored is not None:
            return stored
        computed = self._compute(label, row, by_eff, catalogue, compute)
        if self._fixed and not allowed(actor.role, "upload"):
            # a viewer's own PostgreSQL login may not write results: shaped as stored, not kept
            base = _result_base(row, label, cat_version)
            return _results_frame([{**base, **rec} for rec in _result_records(computed)])
        self._store_results(row, label, by_key, cat_version, computed, actor)
        stored = self._stored_results(row.id, cat_version, by_key)
        if stored is None:
            raise StoreError(
                f"the results of round {label!r} were written but cannot be read back; try again"
            )
        return stored

    def _compute(
        self,
        label: str,
        row: Any,
        by: list[str],
        catalogue: Any,
        compute: Callable[..., pd.DataFrame] | None,
    ) -> pd.DataFrame:
        frame = self.responses(label, row.version)
        design = SurveyDesign(**json.loads(row.design_json))
        if compute is None:
            from mande.indicators.compute import compute_indicators

            # a mission's own form may lack some standard items: leave those indicators out
            return compute_indicators(
                frame, catalogue, by=by, design=design, on_missing="skip", round_label=label
            )
        return compute(frame, catalogue, by=by, design=design)

    def _stored_results(
        self, version_id: int, cat_version: str, by_key: str
    ) -> pd.DataFrame | None:
        rr, r = t.result_runs, t.results
        with _engine.read(self._engine) as conn:
            run_id = conn.execute(
                sa.select(rr.c.id).where(
                    rr.c.round_version_id == version_id,
                    rr.c.catalogue_version == cat_version,
                    rr.c.by_key == by_key,
                )
            ).scalar()
            if run_id is None:
                return None
            rows = conn.execute(sa.select(r).where(r.c.run_id == run_id).order_by(r.c.id)).all()
        return _results_frame([dict(row._mapping) for row in rows])

    def _store_results(
        self, row: Any, label: str, by_key: str, cat_version: str, frame: pd.DataFrame,
        actor: _Actor,
    ) -> None:  # fmt: skip
        records = _result_records(frame)
        base = _result_base(row, label, cat_version)

        def work(conn: Connection) -> None:
            rr = t.result_runs
            exists = conn.execute(
                sa.select(rr.c.id).where(
                    rr.c.round_version_id == row.id,
                    rr.c.catalogue_version == cat_version,
                    rr.c.by_key == by_key,
                )
            ).scalar()
            if exists is not None:  # another process computed it meanwhile
                return
            run_id = conn.execute(
                rr.insert()
                .values(
                    round_version_id=row.id, data_version=row.content_sha256,
                    catalogue_version=cat_version, by_key=by_key, n_rows=len(records),
                    computed_at=_now(), computed_by=actor.user,
                )
                .returning(rr.c.id)
            ).scalar_one()  # fmt: skip
            if records:
                conn.execute(
                    t.results.insert(), [{**base, **rec, "run_id": run_id} for rec in records]
                )

        self._write(actor, work)
