"""Alembic environment: migrates the connection the store hands in (or a URL, offline)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from bot.store.schema import UTCDateTime, metadata


def render_item(kind: str, item: Any, _autogen_context: Any) -> str | bool:
    """Write the store's UTCDateTime as a plain sa.DateTime() in generated revisions."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime()"
    return False


_OPTIONS: dict[str, Any] = {
    "target_metadata": metadata,
    "render_as_batch": True,
    "compare_type": True,
    "render_item": render_item,
}


def run_offline() -> None:
    """Print the SQL for the configured URL's dialect instead of running it."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True, **_OPTIONS
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on the store's connection, or on a fresh one from the URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **_OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(str(context.config.get_main_option("sqlalchemy.url")))
    try:
        with engine.begin() as fresh:
            context.configure(connection=fresh, **_OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
