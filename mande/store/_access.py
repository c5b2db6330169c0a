"""Who may do what in the database itself, and the audit log's hash chain.

On PostgreSQL the roles are enforced by the server, not only by mande: a login is a member of one of
the group roles ``mande_viewer``, ``mande_officer`` or ``mande_admin`` (each a member of the one
before), and may only do what its group was granted (:func:`install`, run by the migration
``0004_access`` and again by every ``mande db upgrade``):

- ``mande_viewer`` reads the data tables and results (not the audit log); it may add an audit entry
  (a refused attempt) but never one that says an action it may not do succeeded.
- ``mande_officer`` may also upload: insert forms, mappings, uploads, rounds, versions, responses,
  interview sheets, and computed results; it may make only the newest version of a round current.
- ``mande_admin`` may also read the audit log, make an older version current, purge (delete
  versions and their data, mark uploads purged) and load the mission configuration.
- ``mande_service`` is the dashboard's own login: an admin whose acting user and role come from the
  session settings ``mande.actor`` and ``mande.role``, which the dashboard sets per transaction for
  the person signed in. The same settings sent by any other login are ignored.

Triggers keep the rules whatever client writes (``psql`` included): who acted is always
``session_user`` (or, for the service login and the schema's owner, ``mande.actor``), whatever the
row says; nobody updates or deletes an audit row; an upload, a change of current version and a
purge are committed only together with their audit entry, so no step can be skipped.

Every audit row carries ``prev_hash`` (the previous row's hash) and ``row_hash`` (SHA-256 of
``prev_hash`` and the row's fields, :func:`audit_hash`); :func:`verify_chain` finds a deleted or
edited row. On PostgreSQL the trigger computes the hashes (under a lock, so that the chain follows
the order of ids); on SQLite, a single-user laptop store, the store does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mande.errors import StoreError

__all__ = [
    "GROUPS",
    "ChainBreak",
    "SessionIdentity",
    "audit_hash",
    "install",
    "session_identity",
    "verify_chain",
]

# mande role -> PostgreSQL group role
GROUPS: dict[str, str] = {
    "viewer": "mande_viewer",
    "officer": "mande_officer",
    "admin": "mande_admin",
    "service": "mande_service",
}

_SEP = "\x1f"
_CHAIN_LOCK = 0x6D616E6461  # advisory lock key serialising audit inserts ("manda")

# Tables each group may read or write (a new migration adding a table adds it here).
_DATA_TABLES = (
    "missions", "forms", "mappings", "uploads", "rounds", "round_versions", "responses",
    "interview_sheets", "interview_versions", "interview_data", "result_runs", "results",
    "footprint_files", "footprint_versions", "period_figures",
)  # fmt: skip
_OFFICER_INSERT = (
    "forms", "mappings", "uploads", "rounds", "round_versions", "responses", "interview_sheets",
    "interview_versions", "interview_data", "result_runs", "results", "footprint_files",
    "footprint_versions", "period_figures",
)  # fmt: skip
_ADMIN_DELETE = (
    "results", "result_runs", "responses", "round_versions", "rounds", "interview_data",
    "interview_versions", "interview_sheets", "period_figures",
)  # fmt: skip
# the least role each audited action needs (mande.roles.ACTIONS, plus configure: admin)
_ACTION_ROLE = {
    "upload": "officer", "reweight": "officer", "validate": "officer", "set_current": "admin",
    "purge": "admin", "set_mission": "admin", "configure": "admin", "audit": "admin",
}  # fmt: skip


def _canonical_time(at: Any) -> str:
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:  # SQLite hands back UTC without its zone
        at = at.replace(tzinfo=dt.UTC)
    return str(at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))


def audit_hash(prev_hash: str, row: Any) -> str:
    """SHA-256 (hex) of the previous row's hash and this row's fields, in a fixed order.

    The fields are ``at`` (UTC, microseconds), ``user_name``, ``role``, ``action``,
    ``object_type``, ``object_label``, ``file_sha256``, ``ok`` (``t``/``f``) and ``details_json``,
    separated by U+001F; NULL is the empty text. The PostgreSQL trigger computes the same.
    """
    m = row if isinstance(row, Mapping) else row._mapping
    parts = [
        prev_hash or "",
        _canonical_time(m["at"]),
        str(m["user_name"]),
        str(m["role"]),
        str(m["action"]),
        str(m["object_type"]),
        str(m["object_label"] or ""),
        str(m["file_sha256"] or ""),
        "t" if m["ok"] else "f",
        str(m["details_json"]),
    ]
    return hashlib.sha256(_SEP.join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """An audit row whose hash does not follow: ``kind`` is ``"edited"`` (its own fields do not
    give its hash) or ``"missing"`` (it does not point at the row before it: a row was deleted or
    the rows were reordered)."""

    id: int
    kind: str
    message: str


def verify_chain(rows: Iterable[Any]) -> list[ChainBreak]:
    """Check the audit rows' hash chain (rows in id order); an empty list means intact."""
    breaks: list[ChainBreak] = []
    prev = ""
    prev_id: int | None = None
    for row in rows:
        m = row._mapping
        if (m["prev_hash"] or "") != prev:
            where = f"after entry {prev_id}" if prev_id is not None else "at the start"
            breaks.append(
                ChainBreak(
                    int(m["id"]),
                    "missing",
                    f"entry {m['id']} does not follow the entry before it: an entry {where} was "
                    "deleted or changed",
                )
            )
        if audit_hash(m["prev_hash"] or "", m) != m["row_hash"]:
            breaks.append(
                ChainBreak(
                    int(m["id"]),
                    "edited",
                    f"entry {m['id']} was edited after it was written (its hash does not match)",
                )
            )
        prev, prev_id = m["row_hash"] or "", int(m["id"])
    return breaks


# ---- PostgreSQL ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionIdentity:
    """Who a PostgreSQL login is, as the database sees it.

    ``trusted`` logins (the dashboard's service login, the schema's owner, a superuser) act for the
    user and role mande names; any other login is its own user, with its group's role.
    """

    login: str
    role: str | None
    trusted: bool


def session_identity(conn: Connection) -> SessionIdentity:
    row = conn.execute(
        sa.text(
            "SELECT session_user AS login, mande_login_role() AS role, mande_trusted() AS trusted"
        )
    ).one()
    return SessionIdentity(str(row.login), row.role, bool(row.trusted))


def _create_group(conn: Connection, name: str) -> None:
    # Roles are shared by every database of the server: create each once, tolerating a race.
    conn.exec_driver_sql(
        f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN
    CREATE ROLE {name} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$"""
    )


def _grant_membership(conn: Connection, group: str, member: str) -> None:
    conn.exec_driver_sql(
        f"""
DO $$ BEGIN
  IF NOT pg_has_role('{member}', '{group}', 'MEMBER') THEN
    GRANT {group} TO {member};
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$"""
    )


def install(conn: Connection) -> None:
    """Create the group roles, grants, functions and triggers (PostgreSQL; idempotent).

    Needs a login that may create roles (``CREATEROLE``) and owns the schema, e.g. the one that
    created the database. Raises :class:`mande.StoreError` otherwise.
    """
    if conn.dialect.name != "postgresql":
        return
    try:
        _install(conn)
    except sa.exc.ProgrammingError as exc:
        raise StoreError(
            f"cannot set up the database roles: {' '.join(str(exc.orig).split())}. Run "
            "`mande db upgrade` as the database's owner with the CREATEROLE privilege"
        ) from exc


def _install(conn: Connection) -> None:
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    q = conn.dialect.identifier_preparer.quote
    sch = q(schema)
    for group in GROUPS.values():
        _create_group(conn, group)
    _grant_membership(conn, "mande_viewer", "mande_officer")
    _grant_membership(conn, "mande_officer", "mande_admin")
    _grant_membership(conn, "mande_admin", "mande_service")

    def ex(statement: str) -> None:
        conn.exec_driver_sql(statement.replace("%", "%%"))  # no parameters: '%' is literal

    every = ", ".join(GROUPS.values())
    # a migration that adds a table runs install() again once the table exists
    present = set(sa.inspect(conn).get_table_names(schema=schema))

    def only(tables: Iterable[str]) -> str:
        return ", ".join(t for t in tables if t in present)

    ex(f"REVOKE ALL ON ALL TABLES IN SCHEMA {sch} FROM PUBLIC")
    ex(f"REVOKE ALL ON ALL TABLES IN SCHEMA {sch} FROM {every}")
    ex(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {sch} FROM {every}")
    ex(f"GRANT USAGE ON SCHEMA {sch} TO mande_viewer")
    ex(f"GRANT SELECT ON {only(_DATA_TABLES)}, current_results, alembic_version TO mande_viewer")
    ex("GRANT INSERT ON audit_log TO mande_viewer")
    ex("GRANT USAGE ON SEQUENCE audit_log_id_seq TO mande_viewer")
    ex(f"GRANT INSERT ON {only(_OFFICER_INSERT)} TO mande_officer")
    ex(
        "GRANT UPDATE (current_version) ON "
        f"{only(('rounds', 'interview_sheets', 'footprint_files'))} TO mande_officer"
    )
    ex(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {sch} TO mande_officer")
    ex("GRANT SELECT ON audit_log TO mande_admin")
    ex("GRANT INSERT, UPDATE ON missions TO mande_admin")
    ex("GRANT UPDATE (status) ON uploads TO mande_admin")
    ex("GRANT UPDATE (period_id) ON round_versions, results TO mande_admin")
    ex(f"GRANT DELETE ON {only(_ADMIN_DELETE)} TO mande_admin")

    actions = ", ".join(f"('{a}', '{r}')" for a, r in _ACTION_ROLE.items())
    path = f"SET search_path = {sch}, pg_temp"
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_trusted() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT pg_has_role(session_user, 'mande_service', 'MEMBER')
      OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)
      OR session_user = (SELECT tableowner FROM pg_tables
                         WHERE schemaname = current_schema() AND tablename = 'audit_log')
$$"""
    )
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_login_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT CASE
    WHEN pg_has_role(session_user, 'mande_admin', 'MEMBER') THEN 'admin'
    WHEN pg_has_role(session_user, 'mande_officer', 'MEMBER') THEN 'officer'
    WHEN pg_has_role(session_user, 'mande_viewer', 'MEMBER') THEN 'viewer'
  END
$$"""
    )
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_actor() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT CASE WHEN mande_trusted()
    THEN coalesce(nullif(current_setting('mande.actor', true), ''), session_user)
    ELSE session_user END
$$"""
    )
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_actor_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT CASE
    WHEN mande_trusted() THEN
      CASE WHEN current_setting('mande.role', true) IN ('viewer', 'officer', 'admin')
           THEN current_setting('mande.role', true) ELSE 'admin' END
    ELSE coalesce(mande_login_role(), 'none') END
$$"""
    )
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_audit_head() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT max(id) FROM audit_log
$$"""
    )
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_role_allows(role text, action text) RETURNS boolean
LANGUAGE sql IMMUTABLE {path} AS $$
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM (VALUES {actions}) a(action, least_role)
                     WHERE a.action = $2) THEN true
    ELSE array_position(ARRAY['viewer', 'officer', 'admin'], $1) >=
         array_position(ARRAY['viewer', 'officer', 'admin'],
                        (SELECT least_role FROM (VALUES {actions}) a(action, least_role)
                         WHERE a.action = $2))
  END
$$"""
    )
    # The audit log: who from the session, the time from the server, the hash chain; never
    # changed or deleted; an entry saying a forbidden action succeeded is refused.
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_audit_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE prev text;
BEGIN
  NEW.user_name := mande_actor();
  NEW.role := mande_actor_role();
  IF NEW.ok AND NOT coalesce(mande_role_allows(NEW.role, NEW.action), false) THEN
    RAISE EXCEPTION 'role % may not record a successful %', NEW.role, NEW.action
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock({_CHAIN_LOCK});
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  NEW.at := clock_timestamp();
  SELECT row_hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(prev, '');
  NEW.row_hash := encode(sha256(convert_to(concat_ws(chr(31),
      NEW.prev_hash,
      to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
      coalesce(NEW.user_name, ''), coalesce(NEW.role, ''), coalesce(NEW.action, ''),
      coalesce(NEW.object_type, ''), coalesce(NEW.object_label, ''),
      coalesce(NEW.file_sha256, ''), CASE WHEN NEW.ok THEN 't' ELSE 'f' END,
      coalesce(NEW.details_json, '')), 'UTF8')), 'hex');
  RETURN NEW;
END $$"""
    )
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_audit_frozen() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: entries are never changed or deleted'
    USING ERRCODE = 'insufficient_privilege';
END $$"""
    )
    # Who acted, on the other tables that record it.
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_stamp_actor() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE stamp jsonb := jsonb_build_object(TG_ARGV[0], mande_actor());
BEGIN
  IF TG_NARGS > 1 THEN
    stamp := stamp || jsonb_build_object(TG_ARGV[1], mande_actor_role());
  END IF;
  NEW := jsonb_populate_record(NEW, stamp);
  RETURN NEW;
END $$"""
    )
    # Only an admin makes an older version current; an upload makes its own (newest) current.
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_current_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE newest integer;
BEGIN
  IF NEW.current_version IS DISTINCT FROM OLD.current_version
     AND mande_actor_role() <> 'admin' THEN
    EXECUTE format('SELECT max(version) FROM %I WHERE %I = $1', TG_ARGV[0], TG_ARGV[1])
      INTO newest USING NEW.id;
    IF NEW.current_version IS DISTINCT FROM newest THEN
      RAISE EXCEPTION 'role % may not make version % current (only an admin may; an upload '
        'makes its own new version current)', mande_actor_role(), NEW.current_version
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END $$"""
    )
    # Checked at commit: each upload, change of current version and purge has its audit entry
    # in the same transaction, so that no step can be left out.
    ex(
        f"""
CREATE OR REPLACE FUNCTION mande_require_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE rec record;
BEGIN
  rec := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  IF NOT EXISTS (
      SELECT 1 FROM audit_log a
      WHERE a.xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296
        AND a.ok AND a.action = ANY (string_to_array(TG_ARGV[0], ','))
        AND a.object_type = TG_ARGV[1]) THEN
    RAISE EXCEPTION 'a % of % (table %) must be recorded in the audit log in the same '
      'transaction; use mande (the store or the CLI)', TG_ARGV[0], TG_ARGV[1], TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$"""
    )
    row, constraint = "FOR EACH ROW EXECUTE FUNCTION", "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    changed = (
        "WHEN (OLD.current_version IS DISTINCT FROM NEW.current_version "
        "AND OLD.current_version IS NOT NULL AND NEW.current_version IS NOT NULL)"
    )
    triggers = [  # (name, table, definition after the table)
        ("mande_audit_insert", "audit_log", "BEFORE INSERT", f"{row} mande_audit_insert()"),
        (
            "mande_audit_frozen",
            "audit_log",
            "BEFORE UPDATE OR DELETE",
            f"{row} mande_audit_frozen()",
        ),
        (
            "mande_audit_truncate",
            "audit_log",
            "BEFORE TRUNCATE",
            "FOR EACH STATEMENT EXECUTE FUNCTION mande_audit_frozen()",
        ),
        (
            "mande_stamp",
            "uploads",
            "BEFORE INSERT",
            f"{row} mande_stamp_actor('user_name', 'role')",
        ),
        (
            "mande_stamp",
            "round_versions",
            "BEFORE INSERT",
            f"{row} mande_stamp_actor('created_by')",
        ),
        (
            "mande_stamp",
            "interview_versions",
            "BEFORE INSERT",
            f"{row} mande_stamp_actor('created_by')",
        ),
        ("mande_stamp", "forms", "BEFORE INSERT", f"{row} mande_stamp_actor('created_by')"),
        ("mande_stamp", "mappings", "BEFORE INSERT", f"{row} mande_stamp_actor('created_by')"),
        (
            "mande_stamp",
            "missions",
            "BEFORE INSERT OR UPDATE",
            f"{row} mande_stamp_actor('loaded_by')",
        ),
        ("mande_stamp", "result_runs", "BEFORE INSERT", f"{row} mande_stamp_actor('computed_by')"),
        (
            "mande_stamp",
            "period_figures",
            "BEFORE INSERT",
            f"{row} mande_stamp_actor('computed_by')",
        ),
        (
            "mande_current",
            "rounds",
            "BEFORE UPDATE OF current_version",
            f"{row} mande_current_version('round_versions', 'round_id')",
        ),
        (
            "mande_current",
            "interview_sheets",
            "BEFORE UPDATE OF current_version",
            f"{row} mande_current_version('interview_versions', 'sheet_id')",
        ),
        (
            "mande_audited_upload",
            "round_versions",
            "AFTER INSERT",
            f"{constraint} EXECUTE FUNCTION mande_require_audit('upload,reweight', 'round')",
        ),
        (
            "mande_audited_upload",
            "interview_versions",
            "AFTER INSERT",
            f"{constraint} EXECUTE FUNCTION mande_require_audit('upload', 'interviews')",
        ),
        (
            "mande_audited_purge",
            "round_versions",
            "AFTER DELETE",
            f"{constraint} EXECUTE FUNCTION mande_require_audit('purge', 'round')",
        ),
        (
            "mande_audited_purge",
            "interview_versions",
            "AFTER DELETE",
            f"{constraint} EXECUTE FUNCTION mande_require_audit('purge', 'interviews')",
        ),
        (
            "mande_audited_current",
            "rounds",
            "AFTER UPDATE OF current_version",
            f"{constraint} {changed} "
            "EXECUTE FUNCTION mande_require_audit('set_current,upload,reweight', 'round')",
        ),
        (
            "mande_audited_current",
            "interview_sheets",
            "AFTER UPDATE OF current_version",
            f"{constraint} {changed} "
            "EXECUTE FUNCTION mande_require_audit('set_current,upload', 'interviews')",
        ),
    ]
    triggers += [
        (
            "mande_stamp",
            "footprint_versions",
            "BEFORE INSERT",
            f"{row} mande_stamp_actor('created_by')",
        ),
        (
            "mande_current",
            "footprint_files",
            "BEFORE UPDATE OF current_version",
            f"{row} mande_current_version('footprint_versions', 'file_id')",
        ),
        (
            "mande_audited_upload",
            "footprint_versions",
            "AFTER INSERT",
            f"{constraint} EXECUTE FUNCTION mande_require_audit('upload', 'footprint')",
        ),
        (
            "mande_audited_current",
            "footprint_files",
            "AFTER UPDATE OF current_version",
            f"{constraint} {changed} "
            "EXECUTE FUNCTION mande_require_audit('set_current,upload', 'footprint')",
        ),
    ]
    for name, table, when, rest in triggers:
        if table not in present:
            continue
        ex(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        kind = "CONSTRAINT TRIGGER" if "DEFERRABLE" in rest else "TRIGGER"
        ex(f"CREATE {kind} {name} {when} ON {table} {rest}")
    ex(
        "GRANT EXECUTE ON FUNCTION mande_trusted(), mande_login_role(), mande_actor(), "
        "mande_actor_role(), mande_audit_head() TO mande_viewer"
    )


# ---- logins (``mande users``) ---------------------------------------------------------------


def _require_postgres(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise StoreError(
            "users and roles live in PostgreSQL; this store is SQLite, a single-user laptop store "
            "where the local user is admin. Point MANDE_DATABASE_URL at the team's PostgreSQL "
            "database (see the README, 'Deploying for a team')"
        )


def add_login(conn: Connection, name: str, role: str, password: str | None) -> str:
    """Create the PostgreSQL login ``name`` (or change its role) as a member of the group of
    ``role`` (viewer, officer, admin, or service for the dashboard); returns "created" or
    "updated". ``password`` None leaves the password as it is (or unset, for certificate or
    single sign-on authentication)."""
    from psycopg import sql

    _require_postgres(conn)
    if role not in GROUPS:
        raise StoreError(f"role {role!r} is not a role; expected one of {', '.join(GROUPS)}")
    if not name or len(name) > 63:
        raise StoreError(f"login name {name!r} must have 1 to 63 characters (PostgreSQL's limit)")
    raw = conn.connection.driver_connection
    if raw is None:
        raise StoreError("the PostgreSQL connection is closed; open the store again")
    exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    with raw.cursor() as cur:
        ident = sql.Identifier(name)
        if exists is None:
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(ident))
        if password is not None:
            cur.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password))
            )
        for group in GROUPS.values():
            cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUPS[role]), ident))
    return "created" if exists is None else "updated"


def remove_login(conn: Connection, name: str) -> None:
    """Take ``name`` out of every mande group and drop the login if it owns nothing."""
    from psycopg import sql

    _require_postgres(conn)
    raw = conn.connection.driver_connection
    if raw is None:
        raise StoreError("the PostgreSQL connection is closed; open the store again")
    with raw.cursor() as cur:
        for group in GROUPS.values():
            cur.execute(
                sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), sql.Identifier(name))
            )
        cur.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def list_logins(conn: Connection) -> list[tuple[str, str]]:
    """(login, role) of every login in a mande group, by name."""
    _require_postgres(conn)
    rows = conn.execute(
        sa.text(
            """
SELECT r.rolname AS login, g.rolname AS grp
FROM pg_roles r
JOIN pg_auth_members m ON m.member = r.oid
JOIN pg_roles g ON g.oid = m.roleid
WHERE r.rolcanlogin AND g.rolname = ANY(:groups)
ORDER BY r.rolname"""
        ),
        {"groups": list(GROUPS.values())},
    ).all()
    back = {g: r for r, g in GROUPS.items()}
    return [(str(x.login), back[str(x.grp)]) for x in rows]
