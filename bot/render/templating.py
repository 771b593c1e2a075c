"""The Jinja2 environment over `templates/`: StrictUndefined, autoescape for HTML."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

__all__ = ["TEMPLATES_DIR", "render_template", "template_environment"]

#: The templates (text, HTML, CSS and the Word template) as package data: `bot/templates` links
#: to the repository's `templates/` and the wheel ships them there (see pyproject.toml).
TEMPLATES_DIR = Path(str(files("bot") / "templates"))


@cache
def template_environment() -> Environment:
    """The environment over TEMPLATES_DIR; '.txt' templates are not HTML-escaped."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html", "xml"), disabled_extensions=("txt", "css"), default=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, **context: object) -> str:
    """Render one template with the given context."""
    return template_environment().get_template(name).render(**context)
