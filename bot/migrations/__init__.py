"""Alembic migrations of the store, run by `bot.store.Store` on open."""
