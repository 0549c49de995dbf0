"""Untrusted input: URLs carrying NUL characters are refused with 400 before any view
runs, and posted text is normalised by one function, ``clean_text``.

No id, slug or query parameter of consult may contain U+0000, and PostgreSQL cannot
compare or store it in a text column at all (the driver raises, which would be a
500). Refusing it once here, for the path and the query string, keeps every view
simple. Form fields are not refused here: the services clean control characters
out of posted text and answer beside the field. No library does this check;
werkzeug passes NUL through as an ordinary character.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l

from consult.errors import ValidationFailed

NUL = "\x00"


def _has_nul(values) -> bool:
    return any(NUL in key or NUL in value for key, value in values.items(multi=True))


def _refuse_nul() -> None:
    if NUL in request.path or _has_nul(request.args):
        abort(400)


def init_input_guard(app: Flask) -> None:
    # First of the before_request hooks registered after it, so no other hook reads
    # a NUL-bearing value from the database either.
    app.before_request(_refuse_nul)


# Control characters other than tab and newline (PostgreSQL refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None, *, field: str, limit: int, empty: Any = None,
               required: bool = True) -> str | None:
    """User text as stored: newlines normalised, control characters dropped, trimmed.
    Empty text is refused (422 beside ``field``) when ``required``, else None; text over
    ``limit`` characters is refused with the count."""
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        if required:
            raise ValidationFailed(empty or _l("This cannot be empty."), field=field)
        return None
    if len(text) > limit:
        raise ValidationFailed(
            _l("Keep it to %(limit)d characters or fewer (you wrote %(count)d).",
               limit=limit, count=len(text)), field=field)
    return text
