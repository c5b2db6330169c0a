"""The store: SQLite by default, PostgreSQL for a team."""
