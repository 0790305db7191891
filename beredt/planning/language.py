"""The language the planner writes its texts in: reasons, shortfall messages,
explanations and re-plan warnings. Standard library only (no Django).

The current language is a context variable (default English), set for a run with
:func:`use_language`; :func:`_` and :func:`ngettext` translate through the gettext
catalogues in ``beredt/locale`` (``scripts/planner-messages.sh`` rebuilds them).
English is the source language: its texts are returned unchanged.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "nb", "sv")
"""English (the source language), Norwegian bokmål, Swedish."""

DEFAULT_LANGUAGE = "en"
DOMAIN = "beredt"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: ContextVar[str] = ContextVar("beredt_planning_language", default=DEFAULT_LANGUAGE)


def check_language(code: str) -> str:
    """``code`` if it is one of :data:`LANGUAGES`, else :class:`ValueError`."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of: {', '.join(LANGUAGES)}")
    return code


def current_language() -> str:
    return _current.get()


@contextmanager
def use_language(code: str) -> Iterator[str]:
    """Write the planner's texts in ``code`` (one of :data:`LANGUAGES`) inside the block."""
    token = _current.set(check_language(code))
    try:
        yield code
    finally:
        _current.reset(token)


@cache
def _translation(code: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[code], fallback=True)


def translate(message: str, code: str) -> str:
    """``message`` in the language ``code``."""
    if code == DEFAULT_LANGUAGE:
        return message
    return _translation(check_language(code)).gettext(message)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translate(message, _current.get())


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    code = _current.get()
    if code == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return _translation(code).ngettext(singular, plural, n)


def join_names(names: Iterable[str]) -> str:
    """ "Mona Vik and Nina Holm" in the current language."""
    return _(" and ").join(names)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues without translating it (yet)."""
    return message


def variants(message: str) -> list[str]:
    """``message`` in every language, English first, without repeats."""
    out: list[str] = []
    for code in LANGUAGES:
        text = translate(message, code)
        if text not in out:
            out.append(text)
    return out


_FIELD = re.compile(r"\\\{[a-z_]+\\\}")


def template_patterns(message: str, fields: Mapping[str, str] | None = None) -> list[str]:
    """Regular expressions matching ``message`` (a ``str.format`` template with named
    fields) in each language of :func:`variants`: a field matches its pattern in
    ``fields``, or any text."""
    known = fields or {}

    def field(match: re.Match[str]) -> str:
        return known.get(match.group(0)[2:-2], ".+?")

    return [_FIELD.sub(field, re.escape(text)) for text in variants(message)]


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "_",
    "check_language",
    "current_language",
    "join_names",
    "ngettext",
    "template_patterns",
    "translate",
    "use_language",
    "variants",
]
