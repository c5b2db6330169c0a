"""Survey rounds in the store: uploads, versions, forms, reading, current version, purge."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mande.errors import DataValidationError, Problem, StoreError
from mande.gate import Gazetteer, screen_json
from mande.ingest.checks import check_estimable, check_label, mission_years
from mande.stats.design import SurveyDesign
from mande.store import _engine
from mande.store import schema as t
from mande.store._base import (
    _as_date,
    _insert_ignore,
    _lock_row,
    _n_problems,
    _n_warnings,
    _now,
    _period_of,
    _StoreBase,
    _Versioned,
)
from mande.store._blobs import (
    BLOB_FORMAT,
    _blob_to_frame,
    _frame_to_blob,
    _json,
    _json_safe,
    content_hash,
)
from mande.store._privacy import check_no_personal_data
from mande.store._records import SourceFile, UploadResult, _Actor


def _delete_round_data(conn: Connection, ids: list[int]) -> None:
    """The results computed from these round versions, and their responses."""
    runs = sa.select(t.result_runs.c.id).where(t.result_runs.c.round_version_id.in_(ids))
    conn.execute(t.results.delete().where(t.results.c.run_id.in_(runs)))
    conn.execute(t.result_runs.delete().where(t.result_runs.c.round_version_id.in_(ids)))
    conn.execute(t.responses.delete().where(t.responses.c.version_id.in_(ids)))
    # the latest period's figures may rest on these versions: computed again when next read
    conn.execute(t.period_figures.delete())


_ROUNDS = _Versioned(
    parent=t.rounds,
    versions=t.round_versions,
    parent_key="round_id",
    object_type="round",
    noun="round",
    whole="whole_round",
    hint="make another version current first (set_current), or purge the round",
    delete_data=_delete_round_data,
)


class _Surveys(_StoreBase):
    """Survey rounds: each upload a new version, the newest current."""

    # ---- survey uploads --------------------------------------------------------------------

    def ingest_survey(
        self,
        path: str | Path,
        form: Any,
        round_label: str,
        user: str | None = None,
        mapping: Any = None,
        *,
        role: str | None = None,
        plan: str | Path | None = None,
        weighting: Mapping[str, Any] | None = None,
        **read_options: Any,
    ) -> UploadResult:
        """Read a survey export with :func:`mande.read_survey` and store it as a new version.

        With ``plan`` (the round's sample plan file), the export carries no weights: the round is
        weighted on upload from the plan and the mission's population margins
        (:func:`mande.weighting.read_survey_with_plan`; ``weighting`` passes ``method``,
        ``bounds``, ``margins``, ``adults``), and the weighting report is stored with the version.

        Parameters
        ----------
        path:
            The Kobo/ODK export (.xlsx/.csv).
        form:
            The XLSForm: a path, or a form from :func:`mande.read_xlsform`.
        round_label:
            The round, e.g. ``"2025-R2"``. Uploading a round again makes a new version.
        user, role:
            Who acts (default: the store's user and role). Needs ``officer``.
        mapping:
            The mapping of a mission's own form onto the standard items (path or dict), if any.

        Raises
        ------
        DataValidationError
            The file failed validation; nothing was stored (the attempt is in the audit log).
        PermissionDenied
            The role may not upload.
        """
        from mande.ingest.survey import read_survey
        from mande.ingest.xlsform import read_xlsform

        actor = self._actor(user, role)
        round_label = check_label(round_label)
        src = SourceFile.from_path(path)
        self._require(actor, "upload", object_type="round", label=round_label, sha256=src.sha256)
        form_src: SourceFile | None = None
        if isinstance(form, str | Path):
            form_src = SourceFile.from_path(form, keep=True)
        mapping_obj = _load_mapping(mapping)
        plan_src = SourceFile.from_path(plan) if plan is not None else None
        population = None
        if plan_src is not None:
            mission = self.mission()
            population = mission.population if mission is not None else None
            if population is None:
                raise StoreError(
                    "the round comes with a sample plan but the mission has no population "
                    "margins to calibrate to; add a 'population' section to mission.yaml (adult "
                    "population by region, sex and age group, source and year) and set it again"
                )
        wkey = _weighting_key(plan_src, population, weighting)
        found = self._find_round_version(round_label, src.sha256, form_src, mapping_obj, wkey)
        if found is not None:
            return found
        read_options.setdefault("secret", self.settings.secret)
        read_options.setdefault("max_bytes", self.settings.max_upload_bytes)
        if "fieldwork" not in read_options:
            # interviews dated outside the round's planned fieldwork (mission.yaml) are flagged
            mission = self.mission()
            window = mission.fieldwork_of(round_label) if mission is not None else None
            if window is not None:
                read_options["fieldwork"] = window
        if "years" not in read_options:  # interview dates outside the mission's years: errors
            read_options["years"] = mission_years(self.mission())
        if "privacy" not in read_options:  # the mission's name lists for the personal-data gate
            read_options["privacy"] = Gazetteer.from_mission(self.mission())
        form_obj = form
        weighting_report: dict[str, Any] | None = None
        try:
            if form_src is not None:
                form_obj = read_xlsform(form, strict=False)  # deployed: read as Kobo read it
            if plan is not None and population is not None:
                from mande.weighting.round import read_survey_with_plan

                rnd, wrep = read_survey_with_plan(
                    path, form_obj, plan, population, mapping, round_label=round_label,
                    **dict(weighting or {}), **read_options,
                )  # fmt: skip
                weighting_report = {**wrep.to_dict(), "key": wkey}
            else:
                rnd = read_survey(path, form_obj, mapping, round_label=round_label, **read_options)
        except DataValidationError as exc:
            self._refused(actor, "round", round_label, src, exc)
            raise
        return self.add_round(
            rnd,
            round_label,
            source=src,
            form_source=form_src,
            form=form_obj,
            mapping=mapping_obj,
            user=actor.user,
            role=actor.role,
            weighting=weighting_report,
        )

    def _find_round_version(
        self,
        label: str,
        sha256: str,
        form_src: SourceFile | None,
        mapping: Any,
        weighting_key: str | None = None,
    ) -> UploadResult | None:
        """The version of ``label`` that came from this very file (with the same form/mapping,
        and the same sample plan and population margins when it was weighted from a plan)."""
        v, r = t.round_versions, t.rounds
        q = (
            sa.select(
                v.c.version, v.c.n_respondents, v.c.report_json, v.c.upload_id, v.c.weighting_json,
                r.c.current_version, t.forms.c.sha256.label("form_sha"),
                t.mappings.c.sha256.label("mapping_sha"),
            )
            .join(r, r.c.id == v.c.round_id)
            .outerjoin(t.forms, t.forms.c.id == v.c.form_id)
            .outerjoin(t.mappings, t.mappings.c.id == v.c.mapping_id)
            .where(r.c.label == label, v.c.source_sha256 == sha256)
            .order_by(v.c.version.desc())
        )  # fmt: skip
        mapping_sha = _mapping_sha(mapping)
        with _engine.read(self._engine) as conn:
            rows = conn.execute(q).all()
        for row in rows:
            if form_src is not None and row.form_sha not in (None, form_src.sha256):
                continue
            if row.mapping_sha != mapping_sha:
                continue
            stored_key = json.loads(row.weighting_json).get("key") if row.weighting_json else None
            if stored_key != weighting_key:
                continue
            return UploadResult(
                status="unchanged",
                kind="survey",
                label=label,
                version=row.version,
                file_sha256=sha256,
                n_rows=row.n_respondents,
                current=row.current_version == row.version,
                upload_id=row.upload_id,
            )
        return None

    def add_round(
        self,
        rnd: Any,
        round_label: str | None = None,
        *,
        source: SourceFile,
        form_source: SourceFile | None = None,
        form: Any = None,
        mapping: Any = None,
        user: str | None = None,
        role: str | None = None,
        weighting: Mapping[str, Any] | None = None,
        action: str = "upload",
    ) -> UploadResult:
        """Store a survey round already read (a :class:`mande.SurveyRound`) as a new version.

        ``rnd`` needs ``.responses`` (a DataFrame with ``respondent_id``) and ``.design`` (a
        :class:`mande.SurveyDesign`); ``.report``, ``.form``, ``.label``, ``.fieldwork_start`` and
        ``.fieldwork_end`` are used when present. ``source`` describes the uploaded file.
        ``weighting``: how the weights were built (:meth:`WeightingReport.to_dict`), stored with
        the version. ``action``: what the audit log records (``upload``, ``reweight``).
        """
        actor = self._actor(user, role)
        label = round_label or getattr(rnd, "label", None)
        if not label:
            raise StoreError("a survey round needs a label; give round_label='2025-R1'")
        label = check_label(str(label))
        self._require(actor, "upload", object_type="round", label=label, sha256=source.sha256)
        try:
            frame, design = _check_round(rnd)
        except DataValidationError as exc:
            self._refused(actor, "round", label, source, exc)
            raise
        design_json = _json(design)
        content = content_hash(frame, design_json)
        blob = _frame_to_blob(frame)
        start = _as_date(getattr(rnd, "fieldwork_start", None))
        end = _as_date(getattr(rnd, "fieldwork_end", None))
        if (start is None or end is None) and "interview_date" in frame.columns:
            dates = pd.to_datetime(frame["interview_date"], errors="coerce").dropna()
            if len(dates):
                start = start or dates.min().date()
                end = end or dates.max().date()
        mission = self.mission()
        period = _period_of(mission, start, end)
        report = getattr(rnd, "report", None)
        n_warn = _n_warnings(report)
        n_problems = _n_problems(report)
        form = form if form is not None else getattr(rnd, "form", None)
        mapping_sha = _mapping_sha(mapping)

        def work(conn: Connection) -> UploadResult:
            now = _now()
            mission_id = self._mission_id(conn)
            _insert_ignore(
                conn, t.rounds,
                {"label": label, "mission_id": mission_id, "created_at": now}, ["label"],
            )  # fmt: skip
            round_id = conn.execute(
                sa.select(t.rounds.c.id).where(t.rounds.c.label == label)
            ).scalar_one()
            _lock_row(conn, t.rounds, round_id)
            version = (
                conn.execute(
                    sa.select(sa.func.max(t.round_versions.c.version)).where(
                        t.round_versions.c.round_id == round_id
                    )
                ).scalar()
                or 0
            ) + 1
            form_id = self._form_id(conn, form_source, form, actor, now)
            mapping_id = None
            if mapping_sha is not None:
                _insert_ignore(
                    conn, t.mappings,
                    {"sha256": mapping_sha, "mapping_json": _json(mapping), "created_at": now,
                     "created_by": actor.user},
                    ["sha256"],
                )  # fmt: skip
                mapping_id = conn.execute(
                    sa.select(t.mappings.c.id).where(t.mappings.c.sha256 == mapping_sha)
                ).scalar_one()
            upload_id = conn.execute(
                t.uploads.insert()
                .values(
                    kind="survey", target_label=label, file_name=source.name,
                    sha256=source.sha256, size_bytes=source.size, user_name=actor.user,
                    role=actor.role, uploaded_at=now, status="accepted", n_problems=n_problems,
                    n_warnings=n_warn,
                )
                .returning(t.uploads.c.id)
            ).scalar_one()  # fmt: skip
            version_id = conn.execute(
                t.round_versions.insert()
                .values(
                    round_id=round_id, version=version, upload_id=upload_id, form_id=form_id,
                    mapping_id=mapping_id, content_sha256=content, source_sha256=source.sha256,
                    n_respondents=len(frame), n_columns=frame.shape[1], fieldwork_start=start,
                    fieldwork_end=end, period_id=period, design_json=design_json,
                    report_json=_json(screen_json(report)), created_at=now, created_by=actor.user,
                    weighting_json=_json(weighting) if weighting is not None else None,
                )
                .returning(t.round_versions.c.id)
            ).scalar_one()  # fmt: skip
            conn.execute(
                t.responses.insert().values(
                    version_id=version_id,
                    format=BLOB_FORMAT,
                    columns_json=_json([str(c) for c in frame.columns]),
                    data=blob,
                )
            )
            self._reached("responses_written")
            conn.execute(
                t.rounds.update().where(t.rounds.c.id == round_id).values(current_version=version)
            )
            details = {
                "version": version, "file_name": source.name, "size_bytes": source.size,
                "n_respondents": len(frame), "n_columns": frame.shape[1],
                "content_sha256": content, "n_warnings": n_warn, "period": period,
            }  # fmt: skip
            if weighting is not None:
                details["weighting"] = _weighting_summary(weighting)
            self._audit(conn, actor, action, "round", label, source.sha256, details=details)
            return UploadResult(
                status="created", kind="survey", label=label, version=version,
                file_sha256=source.sha256, n_rows=len(frame), n_warnings=n_warn, current=True,
                upload_id=upload_id,
            )  # fmt: skip

        return self._write(actor, work)

    @staticmethod
    def _form_id(
        conn: Connection, src: SourceFile | None, form: Any, actor: _Actor, now: dt.datetime
    ) -> int | None:
        if src is None and form is None:
            return None
        form_json = _json_safe(form) if form is not None else "null"
        sha = src.sha256 if src is not None else hashlib.sha256(form_json.encode()).hexdigest()
        settings = getattr(form, "settings", None)
        version = getattr(form, "version", None)
        if version is None and isinstance(settings, Mapping):
            version = settings.get("version")
        form_id = getattr(form, "form_id", None) or getattr(form, "id_string", None)
        title = getattr(form, "title", None)
        _insert_ignore(
            conn, t.forms,
            {"sha256": sha, "file_name": src.name if src else "(form object)",
             "form_id": None if form_id is None else str(form_id),
             "version": None if version is None else str(version),
             "title": None if title is None else str(title) if not isinstance(title, Mapping)
             else _json(title),
             "form_json": form_json, "file_bytes": src.data if src else None,
             "created_at": now, "created_by": actor.user},
            ["sha256"],
        )  # fmt: skip
        return conn.execute(sa.select(t.forms.c.id).where(t.forms.c.sha256 == sha)).scalar_one()

    def forms(self) -> pd.DataFrame:
        """The XLSForms the store holds, newest first: SHA-256, file, form id, version, title."""
        f = t.forms
        used = (
            sa.select(sa.func.count())
            .where(t.round_versions.c.form_id == f.c.id)
            .correlate(f)
            .scalar_subquery()
        )
        q = sa.select(
            f.c.sha256, f.c.file_name, f.c.form_id, f.c.version, f.c.title, f.c.created_at,
            f.c.created_by, used.label("n_round_versions"),
        ).order_by(f.c.id.desc())  # fmt: skip
        return self._frame(q)

    def form_bytes(self, sha256: str) -> bytes:
        """The XLSForm file stored under ``sha256`` (to download it again)."""
        with _engine.read(self._engine) as conn:
            data = conn.execute(
                sa.select(t.forms.c.file_bytes).where(t.forms.c.sha256 == sha256)
            ).scalar()
        if data is None:
            raise StoreError(
                f"no form file with SHA-256 {sha256[:12]}... in the store; see Store.forms()"
            )
        return bytes(data)

    # ---- reading rounds --------------------------------------------------------------------

    def rounds(self) -> pd.DataFrame:
        """One row per survey round: label, current version, respondents, fieldwork, period, and
        ``design`` (``srs`` for a round read without a sample design, else ``columns``)."""
        r, v, u = t.rounds, t.round_versions, t.uploads
        n_versions = (
            sa.select(sa.func.count()).where(v.c.round_id == r.c.id).correlate(r).scalar_subquery()
        )
        q = (
            sa.select(
                r.c.label.label("round"),
                r.c.current_version,
                n_versions.label("n_versions"),
                v.c.n_respondents,
                v.c.fieldwork_start,
                v.c.fieldwork_end,
                v.c.period_id.label("period"),
                v.c.content_sha256.label("data_version"),
                u.c.file_name,
                u.c.user_name.label("uploaded_by"),
                u.c.uploaded_at,
                v.c.design_json,
            )
            .join(v, sa.and_(v.c.round_id == r.c.id, v.c.version == r.c.current_version))
            .join(u, u.c.id == v.c.upload_id)
            .order_by(v.c.fieldwork_start, r.c.label)
        )
        from mande.ingest.sample_design import design_type_of

        out = self._frame(q, dates=("fieldwork_start", "fieldwork_end"))
        out["design"] = [
            design_type_of(json.loads(d) if d else None) for d in out.pop("design_json")
        ]
        return out

    def versions(self, round_label: str) -> pd.DataFrame:
        """Every version of a round, oldest first, with who uploaded which file when."""
        r, v, u = t.rounds, t.round_versions, t.uploads
        self._round_id(round_label)
        q = (
            sa.select(
                v.c.version,
                (v.c.version == r.c.current_version).label("current"),
                u.c.file_name,
                u.c.sha256.label("file_sha256"),
                u.c.size_bytes,
                u.c.user_name.label("uploaded_by"),
                u.c.uploaded_at,
                v.c.n_respondents,
                v.c.n_columns,
                v.c.fieldwork_start,
                v.c.fieldwork_end,
                v.c.period_id.label("period"),
                v.c.content_sha256.label("data_version"),
            )
            .join(r, r.c.id == v.c.round_id)
            .join(u, u.c.id == v.c.upload_id)
            .where(r.c.label == round_label)
            .order_by(v.c.version)
        )
        out = self._frame(q, dates=("fieldwork_start", "fieldwork_end"))
        out["current"] = out["current"].astype(bool)
        return out

    def _round_id(self, label: str, conn: Connection | None = None) -> int:
        q = sa.select(t.rounds.c.id).where(t.rounds.c.label == label)
        if conn is None:
            with _engine.read(self._engine) as c:
                found = c.execute(q).scalar()
                known = (
                    []
                    if found is not None
                    else list(
                        c.execute(sa.select(t.rounds.c.label).order_by(t.rounds.c.label)).scalars()
                    )
                )
        else:
            found = conn.execute(q).scalar()
            known = (
                []
                if found is not None
                else list(
                    conn.execute(sa.select(t.rounds.c.label).order_by(t.rounds.c.label)).scalars()
                )
            )
        if found is None:
            raise StoreError(
                f"round {label!r} is not in the store; rounds stored: "
                f"{', '.join(known) if known else 'none (upload one with `mande ingest`)'}"
            )
        return int(found)

    def _version_row(self, conn: Connection, label: str, version: int | None) -> Any:
        r, v = t.rounds, t.round_versions
        round_id = self._round_id(label, conn)
        cur = conn.execute(sa.select(r.c.current_version).where(r.c.id == round_id)).scalar()
        want = cur if version is None else version
        row = conn.execute(
            sa.select(v).where(v.c.round_id == round_id, v.c.version == want)
        ).first()
        if row is None:
            have = conn.execute(
                sa.select(v.c.version).where(v.c.round_id == round_id).order_by(v.c.version)
            ).scalars()
            raise StoreError(
                f"round {label!r} has no version {want}; versions: "
                f"{', '.join(map(str, have)) or 'none'}"
            )
        return row

    def responses(self, round_label: str, version: int | None = None) -> pd.DataFrame:
        """The tidy responses of a round's current version (or of ``version``)."""
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, round_label, version)
            blob = conn.execute(
                sa.select(t.responses.c.data).where(t.responses.c.version_id == row.id)
            ).scalar_one()
        return _blob_to_frame(blob)

    def design(self, round_label: str, version: int | None = None) -> SurveyDesign:
        """The survey design stored with a round version."""
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, round_label, version)
        return SurveyDesign(**json.loads(row.design_json))

    def weighting(self, round_label: str, version: int | None = None) -> dict[str, Any] | None:
        """How a round version's weights were built (None: the export carried its weights).

        The dict of :meth:`mande.weighting.WeightingReport.to_dict` (``spec``, ``response``,
        ``calibration``, ...), with ``plan`` (the plan's rows) when weighted from a plan.
        """
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, round_label, version)
        return json.loads(row.weighting_json) if row.weighting_json else None

    def reweight(
        self,
        round_label: str,
        user: str | None = None,
        *,
        role: str | None = None,
        method: str | None = None,
        bounds: tuple[float, float] | None = None,
        margins: list[str] | None = None,
    ) -> UploadResult:
        """Calibrate a round again to the mission's current population margins: a new version.

        For new census figures: the non-response-adjusted weights (``weight_nr``) of the current
        version are calibrated again with :func:`mande.calibrate` to the margins now in the
        mission's configuration (method and bounds as before unless given). The new version is
        current; the upload is audited as ``reweight``.

        Raises
        ------
        StoreError
            The round was not weighted from a sample plan, or the mission has no population.
        """
        from mande.stats.calibrate import calibrate

        actor = self._actor(user, role)
        self._require(actor, "upload", object_type="round", label=round_label)
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, round_label, None)
            up = conn.execute(
                sa.select(t.uploads.c.file_name, t.uploads.c.size_bytes).where(
                    t.uploads.c.id == row.upload_id
                )
            ).first()
        stored = json.loads(row.weighting_json) if row.weighting_json else None
        if stored is None:
            raise StoreError(
                f"round {round_label!r} was not weighted by mande (its export carried weights); "
                "upload it again with its sample plan to weight it from the plan"
            )
        mission = self.mission()
        population = mission.population if mission is not None else None
        if population is None:
            raise StoreError("the mission has no population margins; add them to mission.yaml")
        spec = dict(stored["spec"])
        method = method or spec.get("method", "raking")
        if bounds is None and spec.get("bounds"):
            bounds = (float(spec["bounds"][0]), float(spec["bounds"][1]))
        chosen = margins or list(spec.get("margins") or population.margins)
        frame = self.responses(round_label)
        old = self.design(round_label)
        pre = SurveyDesign(
            weight="weight_nr", strata=old.strata, psu=old.psu, lonely_psu=old.lonely_psu
        )
        cal = calibrate(
            frame.drop(columns=["weight"]), pre, {m: population.margins[m] for m in chosen},
            method=method, bounds=bounds, weight="weight",
        )  # fmt: skip
        data = cal.data[list(frame.columns)]
        spec.update(
            method=method, bounds=list(bounds) if bounds else None, margins=chosen,
            population_source=population.source, population_year=population.year,
            population_total=population.total,
        )  # fmt: skip
        weighting = {
            **stored,
            "spec": spec,
            "calibration": cal.report.to_dict(),
            "reweighted_from": int(row.version),
            "key": _weighting_key(None, population, None, base=stored.get("key")),
        }

        class _Round:  # what add_round reads
            responses = data
            design = cal.design
            report = json.loads(row.report_json) if row.report_json else None
            label = round_label
            fieldwork_start = row.fieldwork_start
            fieldwork_end = row.fieldwork_end

        source = SourceFile(
            up.file_name if up is not None else round_label,
            row.source_sha256,
            int(up.size_bytes) if up is not None else 0,
        )
        return self.add_round(
            _Round(), round_label, source=source, user=actor.user, role=actor.role,
            weighting=weighting, action="reweight",
        )  # fmt: skip

    # ---- admin: current version, purge -----------------------------------------------------

    def set_current(
        self, round_label: str, version: int, user: str | None = None, *, role: str | None = None
    ) -> None:
        """Make ``version`` the current version of a round (admin). Results follow."""
        actor = self._actor(user, role)
        self._require(actor, "set_current", object_type="round", label=round_label)
        # a version stored before the check existed may not be estimable: never make it current
        check_estimable(self.responses(round_label, version), self.design(round_label, version))

        def work(conn: Connection) -> None:
            round_id = self._round_id(round_label, conn)
            _lock_row(conn, t.rounds, round_id)
            row = self._version_row(conn, round_label, version)
            before = conn.execute(
                sa.select(t.rounds.c.current_version).where(t.rounds.c.id == round_id)
            ).scalar()
            conn.execute(
                t.rounds.update().where(t.rounds.c.id == round_id).values(current_version=version)
            )
            self._audit(
                conn, actor, "set_current", "round", round_label, row.source_sha256,
                details={"version": version, "previous": before},
            )  # fmt: skip

        self._write(actor, work)

    def purge(
        self,
        round_label: str,
        version: int | None = None,
        user: str | None = None,
        *,
        role: str | None = None,
        reason: str = "",
    ) -> int:
        """Delete a round version, or a whole round when ``version`` is None (admin, audited).

        The current version cannot be purged alone: make another version current first. Returns
        the number of versions deleted. The uploads stay in the history, marked ``purged``.
        """
        actor = self._actor(user, role)
        self._require(actor, "purge", object_type="round", label=round_label)

        def work(conn: Connection) -> int:
            round_id = self._round_id(round_label, conn)
            return self._purge_versions(
                conn, _ROUNDS, round_id, round_label, version, actor, reason
            )

        return self._write(actor, work)


def _weighting_key(
    plan: SourceFile | None,
    population: Any,
    options: Mapping[str, Any] | None,
    *,
    base: str | None = None,
) -> str | None:
    """What decides a round's weights besides its export: plan file, population, options."""
    if plan is None and base is None:
        return None
    payload = {
        "plan": plan.sha256 if plan is not None else base,
        "population": population.to_dict() if population is not None else None,
        "options": {k: options[k] for k in sorted(options)} if options else None,
    }
    return hashlib.sha256(_json(payload).encode()).hexdigest()


def _weighting_summary(weighting: Mapping[str, Any]) -> dict[str, Any]:
    """The audit log's line about a weighting: method, population, g range, deff."""
    spec = weighting.get("spec", {})
    cal = weighting.get("calibration", {})
    return {
        "method": spec.get("method"),
        "bounds": spec.get("bounds"),
        "margins": spec.get("margins"),
        "population": f"{spec.get('population_source')} ({spec.get('population_year')})",
        "plan": spec.get("plan"),
        "g_min": cal.get("g_min"),
        "g_max": cal.get("g_max"),
        "deff": cal.get("deff_after"),
    }


def _check_round(rnd: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    frame = getattr(rnd, "responses", None)
    if not isinstance(frame, pd.DataFrame):
        raise StoreError("a survey round needs .responses, a DataFrame (from mande.read_survey)")
    design = getattr(rnd, "design", None)
    if isinstance(design, SurveyDesign):
        design_d = design.to_dict()
    elif isinstance(design, Mapping):
        design_d = dict(design)
    else:
        raise StoreError("a survey round needs .design, a mande.SurveyDesign")
    problems: list[Problem] = []
    if "respondent_id" not in frame.columns:
        problems.append(
            Problem(
                "the responses have no respondent_id column; read the file with mande.read_survey",
                code="missing_column",
                column="respondent_id",
            )
        )
    else:
        ids = frame["respondent_id"]
        dup = ids[ids.duplicated(keep=False) & ids.notna()]
        if ids.isna().any():
            problems.append(
                Problem(
                    f"{int(ids.isna().sum())} responses have no respondent_id",
                    code="missing_id",
                    column="respondent_id",
                )
            )
        if len(dup):
            problems.append(
                Problem(
                    f"respondent_id is not unique: {dup.nunique()} ids appear more than once "
                    f"(e.g. {dup.iloc[0]!r})",
                    code="duplicate_id",
                    column="respondent_id",
                )
            )
    for col in SurveyDesign(**design_d).columns:
        if col not in frame.columns:
            problems.append(
                Problem(
                    f"the design names column '{col}' but the responses lack it",
                    code="missing_column",
                    column=col,
                )
            )
    if problems:
        raise DataValidationError("the survey round cannot be stored", problems=problems)
    check_no_personal_data(frame)
    check_estimable(frame, design_d)  # never store (and make current) a round that cannot be used
    return frame, design_d


def _load_mapping(mapping: Any) -> Any:
    if mapping is None:
        return None
    if isinstance(mapping, str | Path):
        import yaml

        p = Path(mapping)
        if p.suffix.lower() in (".yaml", ".yml", ".json"):
            return yaml.safe_load(p.read_text(encoding="utf-8"))
        return {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
    return mapping


def _mapping_sha(mapping: Any) -> str | None:
    if mapping is None:
        return None
    return hashlib.sha256(_json_safe(mapping).encode()).hexdigest()
