"""The latest period's figures, computed once for the data held and kept in the store.

What the Overview, the Explorer and the headline read first (the indicator results of every
current round version and the change table of the latest reporting period) is computed when a
round is committed or a version made current (:meth:`_Figures.precompute`), so that a page only
reads it. The figures are those of :func:`mande.reporting.period_figures` (one truth): the store
keeps its change table, per language, under a key hashing everything it depends on (the current
round versions, the mission file, the catalogue), so a new upload, a change of current version or
of the mission is a different key and the figures are never stale. A key not yet computed is
computed on first read, stored, and returned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mande.errors import MandeError
from mande.roles import allowed
from mande.store import _engine
from mande.store import schema as t
from mande.store._base import _now
from mande.store._blobs import BLOB_FORMAT, _blob_to_frame, _frame_to_blob, catalogue_version
from mande.store._records import _Actor
from mande.store._results import _Results

#: The languages whose figures are precomputed (the dashboard's and the reports').
LANGS: tuple[str, ...] = ("en", "fr")

# Part of the key: a change in how the figures are stored or computed makes a new key.
_FIGURES_FORMAT = "period-figures-1"


class _Figures(_Results):
    """The latest period's figures (:func:`mande.reporting.period_figures`), precomputed."""

    def figures_key(self, catalogue: Any = None) -> str:
        """What the latest period's figures depend on, hashed: the current version of each round
        (its content hash), the mission file and the catalogue's definitions."""
        if catalogue is None:
            from mande.indicators.catalogue import load_catalogue

            catalogue = load_catalogue()
        with _engine.read(self._engine) as conn:
            return self._figures_key(conn, catalogue_version(catalogue))

    @staticmethod
    def _figures_key(conn: Connection, cat_version: str) -> str:
        r, v = t.rounds, t.round_versions
        current = conn.execute(
            sa.select(r.c.label, v.c.id, v.c.content_sha256)
            .join(v, sa.and_(v.c.round_id == r.c.id, v.c.version == r.c.current_version))
            .order_by(r.c.label)
        ).all()
        missions = sorted(conn.execute(sa.select(t.missions.c.config_sha256)).scalars())
        parts = [_FIGURES_FORMAT, cat_version, [tuple(row) for row in current], missions]
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def period_figures(
        self,
        lang: str = "en",
        *,
        catalogue: Any = None,
        user: str | None = None,
        role: str | None = None,
    ) -> Any:
        """The latest period's figures (:class:`mande.reporting.PeriodFigures`), None without a
        mission, a round, or a round inside the mission's reporting calendar.

        Read from the store when computed for the data held now; otherwise computed by
        :func:`mande.reporting.period_figures` from :meth:`results`, stored (when the role may
        write results) and returned. The change table read back is the one computed, value for
        value (a Parquet blob).
        """
        actor = self._actor(user, role)
        self._require(actor, "view", object_type="results")
        if catalogue is None:
            from mande.indicators.catalogue import load_catalogue

            catalogue = load_catalogue()
        mission = self.mission()
        if mission is None:
            return None
        rounds = self.rounds()
        if rounds.empty:
            return None
        with _engine.read(self._engine) as conn:
            key = self._figures_key(conn, catalogue_version(catalogue))
            row = conn.execute(
                sa.select(t.period_figures).where(
                    t.period_figures.c.figures_key == key, t.period_figures.c.lang == lang
                )
            ).first()
        if row is not None:
            stored = self._stored_figures(row, rounds, mission)
            if stored is not None:
                return stored
        figs = self._compute_figures(rounds, mission, catalogue, lang, actor)
        if figs is not None and not (self._fixed and not allowed(actor.role, "upload")):
            # a viewer's own PostgreSQL login may not write figures: computed, not kept
            self._store_figures(key, lang, figs, actor)
        return figs

    def precompute(
        self,
        langs: Sequence[str] = LANGS,
        *,
        catalogue: Any = None,
        user: str | None = None,
        role: str | None = None,
    ) -> None:
        """Compute and keep what the pages read first: the indicator results of every current
        round version and the latest period's figures in each of ``langs``. Called after a round
        is committed, reweighted or made current; reading what is already there is cheap."""
        if catalogue is None:
            from mande.indicators.catalogue import load_catalogue

            catalogue = load_catalogue()
        self.results(catalogue=catalogue, user=user, role=role)
        for lang in langs:
            self.period_figures(lang, catalogue=catalogue, user=user, role=role)

    def _compute_figures(
        self, rounds: Any, mission: Any, catalogue: Any, lang: str, actor: _Actor
    ) -> Any:
        from mande.errors import DataValidationError
        from mande.reporting import period_figures

        try:
            from mande.reporting import period_comparison

            period_comparison(rounds, mission)
        except DataValidationError:  # no round inside the reporting calendar: no figures
            return None
        results = self.results(catalogue=catalogue, user=actor.user, role=actor.role)
        return period_figures(results, rounds, mission, None, lang=lang)

    @staticmethod
    def _stored_figures(row: Any, rounds: Any, mission: Any) -> Any:
        from mande.reporting import PeriodFigures, period_comparison

        try:
            comp = period_comparison(rounds, mission, row.period_id)
        except MandeError:
            return None
        if comp.current_round != row.current_round or comp.previous_round != row.previous_round:
            return None  # the calendar reads otherwise now: compute again
        changes = _as_computed(_blob_to_frame(row.changes), json.loads(row.dtypes_json))
        return PeriodFigures(comparison=comp, changes=changes, policy=mission.policy)

    def _store_figures(self, key: str, lang: str, figs: Any, actor: _Actor) -> None:
        pf = t.period_figures
        blob = _frame_to_blob(figs.changes)
        dtypes = json.dumps({str(c): str(d) for c, d in figs.changes.dtypes.items()})

        def work(conn: Connection) -> None:
            exists = conn.execute(
                sa.select(pf.c.id).where(pf.c.figures_key == key, pf.c.lang == lang)
            ).scalar()
            if exists is not None:  # another process computed them meanwhile
                return
            conn.execute(
                pf.insert().values(
                    figures_key=key, lang=lang, period_id=figs.comparison.period.id,
                    current_round=figs.current_round, previous_round=figs.previous_round,
                    format=BLOB_FORMAT, changes=blob, dtypes_json=dtypes, computed_at=_now(),
                    computed_by=actor.user,
                )
            )  # fmt: skip

        self._write(actor, work)


def _as_computed(frame: Any, dtypes: dict[str, str]) -> Any:
    """The change table with the column types it was computed with: Parquet reads text columns
    back as pandas' string type, where the computed table may hold Python objects."""
    import pandas as pd

    out = frame.copy()
    for col, dtype in dtypes.items():
        if col not in out.columns or str(out[col].dtype) == dtype:
            continue
        if dtype == "object":
            values = out[col].astype(object)
            out[col] = values.where(values.notna(), None)
        else:
            out[col] = out[col].astype(pd.api.types.pandas_dtype(dtype))
    return out
