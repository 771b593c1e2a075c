"""Alembic revision files, applied in order by `bot.store.Store`."""
