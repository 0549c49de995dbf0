"""The operator's language: what ``flask`` commands and start-up errors print in.

People reading the site get their own language (saved choice, cookie, Accept-Language,
then Chinese: see ``consult.i18n``). Whoever runs a command on the server reads its output
in the language of their terminal instead: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or
``LANG`` (the first one set, as gettext reads them), Chinese when it names a Chinese
locale, English otherwise (``C``, ``POSIX``, unset, or any language consult does not
speak). E-mails a command sends still go out in each recipient's language
(``consult.mail`` forces it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import click
from babel import support

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def operator_locale(environ: Mapping[str, str] | None = None) -> str:
    """ "zh_CN" or "en", from the terminal's locale variables (English when unset)."""
    environ = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        # LANGUAGE may list several ("zh_CN:en"); the first is the preferred one.
        first = value.split(":")[0].split(".")[0].split("@")[0].replace("-", "_").lower()
        if first in ("c", "posix", ""):
            return "en"
        return "zh_CN" if first.startswith("zh") else "en"
    return "en"


def in_cli() -> bool:
    """True inside a ``flask`` command (click's context is per thread, so background
    threads a command starts and requests of a server are not included)."""
    return click.get_current_context(silent=True) is not None


@cache
def _translations(locale: str) -> support.NullTranslations:
    if locale == "en":
        return support.NullTranslations()
    return support.Translations.load(str(TRANSLATIONS), [locale])


def gettext(message: str, **variables: object) -> str:
    """Translate for the operator outside any app (start-up errors come before the app and
    Flask-Babel exist); ``%(name)s`` placeholders as in Flask-Babel."""
    text = _translations(operator_locale()).gettext(message)
    return text % variables if variables else text
