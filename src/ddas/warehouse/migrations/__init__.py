"""Alembic migrations of the pseudonymised warehouse; `ddas.warehouse.store.Warehouse.open` runs them."""
