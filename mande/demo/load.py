"""Load the sample mission (``sample_data/``) into a store: ``mande demo load``.

What is loaded, as user ``demo`` (role admin):

- ``mission.yaml``: the mission configuration;
- every survey round in ``rounds/`` (``.xlsx``, ``.xls`` or ``.csv``), each read with its form from
  ``forms/`` and, when there is one, its mapping from ``mappings/``; the round's label is the file
  name without extension unless ``rounds/rounds.yaml`` says otherwise. A round with a sample plan
  (``plans/<round file stem>.csv`` or ``.xlsx``, or ``plan:`` in ``rounds/rounds.yaml``) is
  weighted on upload from the plan and the mission's population margins, as a real round is;
- every partner-interview coding sheet in ``interviews/``, labelled by its file name;
- the mission's footprint, when ``footprint/`` holds it: ``deployments.*`` and ``activities.*``.

Loading is idempotent: a file already stored for the same round (same SHA-256, same form and
mapping) is not read again, and a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mande.errors import StoreError
from mande.store import Store, UploadResult

__all__ = ["DEMO_USER", "SampleLoad", "load_sample", "plan_of", "read_sample_round"]

DEMO_USER = "demo"
_SURVEY_SUFFIXES = (".xlsx", ".xls", ".csv")


@dataclass(frozen=True)
class SampleLoad:
    """What :func:`load_sample` did: the mission's status and one result per file."""

    mission: str  # created | updated | unchanged
    uploads: tuple[UploadResult, ...]

    @property
    def changed(self) -> bool:
        return self.mission != "unchanged" or any(u.created for u in self.uploads)

    @property
    def n_created(self) -> int:
        return sum(u.created for u in self.uploads)


@dataclass(frozen=True)
class _RoundFile:
    path: Path
    label: str
    form: Path
    mapping: Path | None
    plan: Path | None = None


def _manifest(sample_dir: Path) -> dict[str, dict[str, Any]]:
    """``rounds/rounds.yaml`` (optional): file name -> {label, form, mapping}."""
    path = sample_dir / "rounds" / "rounds.yaml"
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = raw.get("rounds", raw) if isinstance(raw, dict) else raw
    out: dict[str, dict[str, Any]] = {}
    if isinstance(entries, dict):
        for name, spec in entries.items():
            out[str(name)] = dict(spec or {})
    elif isinstance(entries, list):
        for spec in entries:
            if isinstance(spec, dict) and "file" in spec:
                out[str(spec["file"])] = dict(spec)
    return out


def _pick_form(round_path: Path, forms: list[Path]) -> Path:
    if len(forms) == 1:
        return forms[0]
    named = [f for f in forms if f.stem.lower() in round_path.stem.lower()]
    if len(named) == 1:
        return named[0]
    standard = [f for f in forms if f.stem.lower().startswith("perception_survey")]
    if standard:
        return standard[0]
    raise StoreError(
        f"cannot tell which form {round_path.name} was collected with; forms: "
        f"{', '.join(f.name for f in forms)}. Name it in rounds/rounds.yaml (file: form:)"
    )


def plan_of(round_path: str | Path) -> Path | None:
    """The sample plan of a round file: ``<folder>/plans/<round file stem>.csv`` (or ``.xlsx``)
    beside the ``rounds/`` folder, or None."""
    p = Path(round_path)
    for suffix in (".csv", ".xlsx"):
        candidate = p.parent.parent / "plans" / f"{p.stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def read_sample_round(round_path: str | Path, form: Any, **read_options: Any) -> Any:
    """Read a sample round as ``mande demo load`` does: weighted from its plan and the margins of
    the sample folder's ``mission.yaml`` (:func:`mande.weighting.read_survey_with_plan`).

    Returns the :class:`mande.SurveyRound` (its weighting report is dropped).
    """
    from mande.config import load_mission
    from mande.weighting.round import read_survey_with_plan

    p = Path(round_path)
    plan = plan_of(p)
    mission = load_mission(p.parent.parent / "mission.yaml")
    if plan is None or mission.population is None:
        raise StoreError(
            f"{p.name} has no sample plan in {p.parent.parent / 'plans'} or the mission no "
            "population margins; regenerate the sample with `mande demo generate`"
        )
    rnd, _ = read_survey_with_plan(p, form, plan, mission.population, **read_options)
    return rnd


def _round_files(sample_dir: Path) -> list[_RoundFile]:
    rounds_dir = sample_dir / "rounds"
    if not rounds_dir.is_dir():
        return []
    forms = sorted((sample_dir / "forms").glob("*.xls*")) if (sample_dir / "forms").is_dir() else []
    forms = [f for f in forms if not f.name.startswith("~$")]
    manifest = _manifest(sample_dir)
    out = []
    for path in sorted(rounds_dir.iterdir()):
        if path.suffix.lower() not in _SURVEY_SUFFIXES or path.name.startswith(("~$", ".")):
            continue
        spec = manifest.get(path.name, {})
        if spec.get("form"):
            form = sample_dir / str(spec["form"])
            if not form.exists():
                form = sample_dir / "forms" / str(spec["form"])
        elif forms:
            form = _pick_form(path, forms)
        else:
            raise StoreError(f"no XLSForm in {sample_dir / 'forms'} to read {path.name} with")
        mapping: Path | None = None
        if spec.get("mapping"):
            mapping = sample_dir / str(spec["mapping"])
        else:
            for candidate in (
                sample_dir / "mappings" / f"{path.stem}.yaml",
                sample_dir / "mappings" / f"{form.stem}.yaml",
                form.with_suffix(".mapping.yaml"),
            ):
                if candidate.exists():
                    mapping = candidate
                    break
        plan = sample_dir / str(spec["plan"]) if spec.get("plan") else plan_of(path)
        out.append(_RoundFile(path, str(spec.get("label") or path.stem), form, mapping, plan))
    return out


def load_sample(
    sample_dir: str | Path, store: Store, *, user: str = DEMO_USER, role: str = "admin"
) -> SampleLoad:
    """Load the sample mission into ``store``; a second call changes nothing.

    Parameters
    ----------
    sample_dir:
        The folder holding ``mission.yaml``, ``forms/``, ``rounds/`` and ``interviews/``.
    store:
        An open :class:`mande.store.Store`.
    user, role:
        Who the audit log records (default ``demo``, admin).

    Raises
    ------
    StoreError
        When the folder holds no ``mission.yaml``.
    DataValidationError
        When a sample file fails validation (the sample data is broken: regenerate it).
    """
    sample_dir = Path(sample_dir)
    mission_path = sample_dir / "mission.yaml"
    if not mission_path.exists():
        raise StoreError(
            f"{sample_dir} holds no mission.yaml; give the sample folder (e.g. sample_data) or "
            "create it with `mande demo generate sample_data`"
        )
    acting = store.as_user(user, role)
    mission = acting.set_mission(mission_path)
    uploads: list[UploadResult] = []
    for rf in _round_files(sample_dir):
        uploads.append(
            acting.ingest_survey(rf.path, rf.form, rf.label, mapping=rf.mapping, plan=rf.plan)
        )
    iv_dir = sample_dir / "interviews"
    if iv_dir.is_dir():
        for path in sorted(iv_dir.glob("*.xls*")):
            if path.name.startswith(("~$", ".")):
                continue
            uploads.append(acting.ingest_interviews(path, label=path.stem))
    uploads += _load_footprint(sample_dir, acting)
    return SampleLoad(mission=mission, uploads=tuple(uploads))


def _load_footprint(sample_dir: Path, store: Store) -> list[UploadResult]:
    """``footprint/deployments.*`` and ``footprint/activities.*``, when present."""
    folder = sample_dir / "footprint"
    out: list[UploadResult] = []
    for kind in ("deployments", "activities"):
        files = sorted(folder.glob(f"{kind}.*")) if folder.is_dir() else []
        for path in files[:1]:
            out.append(store.ingest_footprint(path, kind))  # type: ignore[arg-type]
    return out
