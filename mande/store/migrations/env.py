"""Alembic environment for the store. Run through ``mande db upgrade`` (or ``Store.open``), which
passes an open connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from mande.store.schema import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from mande.store._engine import make_engine

        url = config.get_main_option("sqlalchemy.url")
        if not url:
            from mande.config import Settings

            url = Settings.from_env().database_url
        with make_engine(url).connect() as conn:
            _run(conn)
            conn.commit()
        return
    _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("mande's migrations run online only: use `mande db upgrade`")
run_migrations_online()
