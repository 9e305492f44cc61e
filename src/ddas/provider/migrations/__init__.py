"""Alembic migrations of the provider store; `ddas.provider.store.db.upgrade` runs them (no alembic.ini)."""
