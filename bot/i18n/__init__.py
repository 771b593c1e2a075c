"""The bot's words per language: gettext catalogues made with Babel, with named placeholders.

The source language is Dutch: a msgid is the Dutch text itself, so Dutch needs no catalogue
lookup and code stays readable. Every lookup names its language explicitly (the bot serves
travellers in several languages at once; there is no process-wide locale).

Mark text for extraction with `N_("...")` (a constant), `msg("... {name}", name=...)` (a
message rendered later in the reader's language) or `t(language, "...", ...)` (rendered
now). `make catalogues` extracts, updates and compiles them (see bot/i18n/README.md).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from babel import Locale

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALES",
    "N_",
    "SECRETARIAT_LANGUAGE",
    "Localized",
    "Text",
    "country_name",
    "join",
    "join_and",
    "language_from_code",
    "msg",
    "t",
    "translate",
    "translate_all",
]

#: The languages the bot speaks; the first is the source language of every msgid.
LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
#: The secretariat's desk works in Dutch; its texts go through the catalogue all the same.
SECRETARIAT_LANGUAGE = DEFAULT_LANGUAGE
DOMAIN = "messages"


def N_(msgid: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown."""
    return msgid


class Text(str):
    """A message kept as its msgid and named values; as a plain string it reads in Dutch.

    Code that only knows Dutch (logs, documents, older tests) sees the Dutch text; an adapter
    that knows the reader's language calls `translate(language, text)`."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Text:
        """The message `msgid` with these values for its placeholders."""
        made = super().__new__(cls, _fill(msgid, params, DEFAULT_LANGUAGE))
        made.msgid = msgid
        made.params = params
        return made

    def render(self, language: str) -> str:
        """The message in `language`; values that are messages themselves are translated too."""
        return _fill(_catalogue(language).gettext(self.msgid), self.params, language)


class Localized(Text):
    """A value written differently per language (a number, a date): no msgid, a renderer."""

    _renderer: Callable[[str], str]
    _written: dict[str, str]

    def __new__(cls, renderer: Callable[[str], str]) -> Localized:
        """The value as `renderer(language)` writes it; as a plain string, the Dutch way."""
        dutch = renderer(DEFAULT_LANGUAGE)
        made = str.__new__(cls, dutch)
        made.msgid = dutch
        made.params = {}
        made._renderer = renderer
        made._written = {DEFAULT_LANGUAGE: dutch}
        return made

    def render(self, language: str) -> str:
        """The value written for `language` (written once per language: a value does not change)."""
        language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        written = self._written.get(language)
        if written is None:
            written = self._written[language] = self._renderer(language)
        return written


#: Babel locales for numbers and dates per language.
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def msg(msgid: str, **params: Any) -> Text:
    """A message to be rendered later in the reader's language."""
    return Text(msgid, **params)


def t(language: str, msgid: str, **params: Any) -> str:
    """`msgid` in `language`, its placeholders filled (values that are messages translated)."""
    return _fill(_catalogue(language).gettext(msgid), params, language)


def translate(language: str, text: str) -> str:
    """Any text in `language`: a `Text` is rendered, a plain msgid looked up, else kept."""
    if isinstance(text, Text):
        return text.render(language)
    return _catalogue(language).gettext(text) if text else text


def translate_all(language: str, texts: Iterable[str]) -> list[str]:
    """Each text in `language`."""
    return [translate(language, text) for text in texts]


def join(parts: Iterable[str], separator: str = ", ") -> Text:
    """Texts joined by `separator`, each translated where the whole is shown."""
    params = {f"p{index}": part for index, part in enumerate(parts)}
    template = (
        separator.replace("{", "{{").replace("}", "}}").join(f"{{{name}}}" for name in params)
    )
    return Text(template, **params) if params else Text("")


def join_and(parts: Sequence[str]) -> str:
    """'a', 'a en b', 'a, b en c' in the reader's language ('a, b and c'); each part too."""
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return msg("{items} en {last}", items=join(parts[:-1]), last=parts[-1])


@cache
def country_name(code: str, language: str) -> str | None:
    """A country's name in `language` from Babel's CLDR data ('AT', 'en' -> 'Austria')."""
    return Locale.parse(LOCALES.get(language, LOCALES[DEFAULT_LANGUAGE])).territories.get(code)


def language_from_code(code: str | None) -> str:
    """The bot's language for a client's IETF tag ('en-GB' -> 'en'); Dutch otherwise."""
    primary = (code or "").split("-")[0].split("_")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def _fill(template: str, params: dict[str, Any], language: str) -> str:
    """`template` with its named placeholders filled in `language` (none: returned as is)."""
    if not params:
        return template
    values = {
        name: value.render(language) if isinstance(value, Text) else value
        for name, value in params.items()
    }
    return template.format(**values)


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue shipped in the package (the source language may have none)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    path = resources.files(__package__) / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if language == DEFAULT_LANGUAGE and not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as compiled:
        return gettext.GNUTranslations(compiled)


def catalogue_path(language: str) -> Traversable:
    """Where the catalogue of `language` (.po and .mo) is shipped."""
    return resources.files(__package__) / "locale" / language / "LC_MESSAGES"
