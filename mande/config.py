"""Mission configuration (``mission.yaml``) and settings (environment variables).

The mission configuration is data, validated when loaded: a region without a p-code, an event in
an unknown region or a reporting calendar that does not parse fails at load with the file and the
field.

Settings come from the environment with defaults, and are passed around as a value:

``MANDE_DATABASE_URL``
    SQLAlchemy URL of the store. Default: SQLite in the user's data folder.
``MANDE_DATA_DIR``
    Folder for the embedded database and the installation secret. Default: the platform's user data
    folder (``~/.local/share/mande`` on Linux).
``MANDE_SECRET``
    The installation secret used to hash respondent ids and pseudonymise partners. Default: a random
    secret created on first use in ``MANDE_DATA_DIR/secret.key`` (mode 0600).
``MANDE_MAX_UPLOAD_MB``
    Largest file accepted for upload, in megabytes. Default 200.
``MANDE_USER`` / ``MANDE_ROLE``
    Who is acting, for the audit log, when not signed in (CLI, laptop). Default: the OS user, admin.
"""

from __future__ import annotations

import datetime as dt
import getpass
import itertools
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from mande._definitions import FileCache, file_state
from mande.errors import ConfigError
from mande.reporting.policy import ReportingPolicy

__all__ = [
    "Event",
    "MissionConfig",
    "Period",
    "Region",
    "Settings",
    "load_mission",
]

ROLES = ("viewer", "officer", "admin")


@dataclass(frozen=True)
class Settings:
    """Where mande keeps its data and who is acting. Build with :meth:`from_env`."""

    database_url: str
    data_dir: Path
    secret: bytes
    max_upload_bytes: int = 200 * 1024 * 1024
    user: str = "local"
    role: str = "admin"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("MANDE_DATA_DIR") or _default_data_dir())
        url = env.get("MANDE_DATABASE_URL") or f"sqlite:///{data_dir / 'mande.db'}"
        secret_text = env.get("MANDE_SECRET")
        secret = secret_text.encode() if secret_text else _installation_secret(data_dir)
        try:
            max_mb = float(env.get("MANDE_MAX_UPLOAD_MB", "200"))
        except ValueError as exc:
            raise ConfigError(
                f"MANDE_MAX_UPLOAD_MB={env.get('MANDE_MAX_UPLOAD_MB')!r} is not a number; "
                "set it to a size in megabytes, e.g. 200"
            ) from exc
        role = env.get("MANDE_ROLE", "admin")
        if role not in ROLES:
            raise ConfigError(
                f"MANDE_ROLE={role!r} is not a role; expected one of {', '.join(ROLES)}"
            )
        return cls(
            database_url=url,
            data_dir=data_dir,
            secret=secret,
            max_upload_bytes=int(max_mb * 1024 * 1024),
            user=env.get("MANDE_USER") or _os_user(),
            role=role,
        )


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("mande", appauthor=False))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "local"


def _installation_secret(data_dir: Path) -> bytes:
    """Read, or create once, the installation's random secret (never leaves this machine)."""
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, token)
    finally:
        os.close(fd)
    return token


# --------------------------------------------------------------------------------------------
# Mission configuration


@dataclass(frozen=True)
class Region:
    pcode: str
    name: dict[str, str]
    admin2: tuple[tuple[str, dict[str, str]], ...] = ()

    def label(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name.get("en") or self.pcode


@dataclass(frozen=True)
class Event:
    id: str
    date: dt.date
    kind: str
    label: dict[str, str]
    regions: tuple[str, ...] = ()
    end: dt.date | None = None

    def text(self, lang: str = "en") -> str:
        return self.label.get(lang) or self.label.get("en") or self.id


@dataclass(frozen=True)
class Period:
    """One Secretary-General reporting period: ``start`` and ``end`` inclusive."""

    id: str
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class MissionConfig:
    code: str
    name: dict[str, str]
    country: dict[str, str]
    languages: tuple[str, ...]
    regions: tuple[Region, ...]
    events: tuple[Event, ...]
    periods: tuple[Period, ...]
    roles: dict[str, str] = field(default_factory=dict)  # e-mail -> role
    fieldwork: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)  # round -> window
    policy: ReportingPolicy = field(default_factory=lambda: ReportingPolicy())
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    path: Path | None = None
    # adult population margins to calibrate weights to (mande.weighting.population.Population)
    population: Any = None

    def title(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name.get("en") or self.code

    def region(self, pcode: str) -> Region:
        for r in self.regions:
            if r.pcode == pcode:
                return r
        raise ConfigError(
            f"region {pcode!r} is not in the mission's regions ({', '.join(r.pcode for r in self.regions)})"
        )

    def period_of(self, day: dt.date) -> Period | None:
        for p in self.periods:
            if p.contains(day):
                return p
        return None

    def fieldwork_of(self, round_label: str) -> tuple[dt.date, dt.date] | None:
        """The planned fieldwork window of a survey round (``surveys:`` in mission.yaml)."""
        return self.fieldwork.get(round_label)

    def role_of(self, email: str | None, default: str = "viewer") -> str:
        if not email:
            return default
        return self.roles.get(email.strip().lower(), default)


def _labels(value: Any, where: str, path: Path) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, Mapping) and value and all(isinstance(v, str) for v in value.values()):
        return {str(k): str(v) for k, v in value.items()}
    raise ConfigError(
        f"{path}: field '{where}' must be a text or a mapping of language to text "
        f"(e.g. {{en: Bangui, fr: Bangui}}), got {value!r}"
    )


def _date(value: Any, where: str, path: Path) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(
            f"{path}: field '{where}' must be a date as YYYY-MM-DD, got {value!r}"
        ) from exc


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, 1)


def _periods(spec: Any, path: Path) -> tuple[Period, ...]:
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"{path}: field 'reporting' must be a mapping with 'periods' or 'start' and 'months'"
        )
    if "periods" in spec:
        out = []
        for i, p in enumerate(spec["periods"] or []):
            where = f"reporting.periods[{i}]"
            if not isinstance(p, Mapping) or not {"id", "start", "end"} <= set(p):
                raise ConfigError(f"{path}: field '{where}' needs id, start and end")
            out.append(
                Period(
                    str(p["id"]),
                    _date(p["start"], where + ".start", path),
                    _date(p["end"], where + ".end", path),
                )
            )
    else:
        for key in ("start", "months", "count"):
            if key not in spec:
                raise ConfigError(
                    f"{path}: field 'reporting.{key}' is missing; give start (YYYY-MM-01), months (3 or 4) and count"
                )
        start = _date(spec["start"], "reporting.start", path)
        months, count = int(spec["months"]), int(spec["count"])
        if start.day != 1 or months not in (1, 2, 3, 4, 6, 12):
            raise ConfigError(
                f"{path}: field 'reporting': periods start on the 1st of a month and last 1, 2, 3, 4, 6 or 12 months"
            )
        out = []
        for i in range(count):
            s = _add_months(start, i * months)
            e = _add_months(start, (i + 1) * months) - dt.timedelta(days=1)
            out.append(Period(f"{s:%Y-%m}", s, e))
    for a, b in itertools.pairwise(out):
        if b.start <= a.end:
            raise ConfigError(f"{path}: reporting periods {a.id} and {b.id} overlap")
    return tuple(out)


def _check_whole(raw: Any, path: Path) -> None:
    """Every problem of the file at once (typed model: :mod:`mande._mission_schema`)."""
    from mande._mission_schema import check_mission

    problems = check_mission(raw)
    if problems:
        n = len(problems)
        lines = "\n".join(f"  - field '{p.column}' {p.message}" for p in problems)
        raise ConfigError(
            f"{path}: {n} problem{'s' if n > 1 else ''} in the mission configuration; fix each, "
            f"then load it again\n{lines}",
            problems=problems,
        )


def _policy(raw: Any, path: Path) -> ReportingPolicy:
    try:
        return ReportingPolicy.from_mapping(raw)
    except (ConfigError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def load_mission(path: str | Path) -> MissionConfig:
    """Load and validate a mission configuration file (``mission.yaml``).

    Raises
    ------
    ConfigError
        With the file and the field, when anything is missing or malformed.

    The file is read once per process and file state (an edited file is read again).
    """
    file = Path(path)
    return cast(MissionConfig, _CACHE.get(file_state(file), lambda: _load_mission(file)))


#: Mission configurations by the state of their file: each read once per process.
_CACHE = FileCache()


def _load_mission(path: Path) -> MissionConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"mission configuration {path} not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    _check_whole(raw, path)
    for key in ("mission", "regions", "reporting"):
        if key not in raw:
            raise ConfigError(f"{path}: field '{key}' is missing")
    m = raw["mission"]
    if not isinstance(m, Mapping) or "code" not in m or "name" not in m:
        raise ConfigError(f"{path}: field 'mission' needs 'code' and 'name'")
    regions = []
    for i, r in enumerate(raw["regions"] or []):
        if not isinstance(r, Mapping) or "pcode" not in r or "name" not in r:
            raise ConfigError(f"{path}: field 'regions[{i}]' needs 'pcode' and 'name'")
        admin2 = tuple(
            (str(a["pcode"]), _labels(a["name"], f"regions[{i}].admin2.name", path))
            for a in r.get("admin2") or []
        )
        regions.append(
            Region(str(r["pcode"]), _labels(r["name"], f"regions[{i}].name", path), admin2)
        )
    pcodes = {r.pcode for r in regions}
    if len(pcodes) != len(regions):
        raise ConfigError(f"{path}: field 'regions': p-codes must be unique")
    events = []
    for i, e in enumerate(raw.get("events") or []):
        where = f"events[{i}]"
        if not isinstance(e, Mapping) or not {"id", "date", "kind"} <= set(e):
            raise ConfigError(f"{path}: field '{where}' needs id, date and kind")
        regs = tuple(str(x) for x in e.get("regions") or [])
        unknown = [x for x in regs if x not in pcodes]
        if unknown:
            raise ConfigError(
                f"{path}: field '{where}.regions' names unknown regions {unknown}; known: {sorted(pcodes)}"
            )
        events.append(
            Event(
                id=str(e["id"]),
                date=_date(e["date"], where + ".date", path),
                kind=str(e["kind"]),
                label=_labels(e.get("label", e["id"]), where + ".label", path),
                regions=regs,
                end=_date(e["end"], where + ".end", path) if e.get("end") else None,
            )
        )
    fieldwork: dict[str, tuple[dt.date, dt.date]] = {}
    for i, sv in enumerate(raw.get("surveys") or []):
        where = f"surveys[{i}]"
        window = sv.get("fieldwork") if isinstance(sv, Mapping) else None
        if (
            not isinstance(sv, Mapping)
            or "round" not in sv
            or not isinstance(window, list)
            or len(window) != 2
        ):
            raise ConfigError(
                f"{path}: field '{where}' needs round and fieldwork: [start, end], "
                "e.g. {round: round1_2024-11, fieldwork: [2024-11-01, 2024-11-30]}"
            )
        start = _date(window[0], where + ".fieldwork[0]", path)
        end = _date(window[1], where + ".fieldwork[1]", path)
        if end < start:
            raise ConfigError(
                f"{path}: field '{where}.fieldwork' ends ({end}) before it starts ({start})"
            )
        fieldwork[str(sv["round"])] = (start, end)
    roles: dict[str, str] = {}
    for role, emails in (raw.get("roles") or {}).items():
        if role not in ROLES:
            raise ConfigError(
                f"{path}: field 'roles.{role}': unknown role; expected one of {', '.join(ROLES)}"
            )
        for email in emails or []:
            roles[str(email).strip().lower()] = role
    return MissionConfig(
        code=str(m["code"]),
        name=_labels(m["name"], "mission.name", path),
        country=_labels(m.get("country", ""), "mission.country", path) if m.get("country") else {},
        languages=tuple(raw.get("languages") or ("en",)),
        regions=tuple(regions),
        events=tuple(sorted(events, key=lambda e: e.date)),
        periods=_periods(raw["reporting"], path),
        roles=roles,
        fieldwork=fieldwork,
        policy=_policy(raw.get("policy"), path),
        raw=dict(raw),
        path=path,
        population=_population(raw, path, regions),
    )


def _population(raw: Mapping[str, Any], path: Path, regions: list[Region]) -> Any:
    """The ``population`` section, checked (None when absent)."""
    if raw.get("population") is None:
        return None
    from mande.weighting.population import parse_population

    return parse_population(
        raw["population"],
        path=path,
        regions=[r.pcode for r in regions],
        admin2=[code for r in regions for code, _ in r.admin2],
    )
