"""Untrusted input: URLs carrying NUL characters are refused with 400 before any view
runs, and posted text is normalised by one function, ``normalise_text``, applied to
every posted form value of every request (``CleanRequest``: WTForms or not, the login
included) and again by ``clean_text`` in the services.

``normalise_text``: NFC; line breaks as ``\n``; control characters other than tab and
newline removed (NUL included: PostgreSQL cannot store it); bidirectional overrides,
embeddings and isolates removed (they make ``txt.exe`` of ``exe.txt``); and text with
nothing visible in it (zero-width spaces, BOM, word joiner, ideographic and other
spaces, lone combining marks, Hangul fillers) becomes "", so it answers like empty.

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
from flask.wrappers import Request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict

from consult.errors import ValidationFailed

NUL = "\x00"


def _has_nul(values) -> bool:
    return any(NUL in key or NUL in value for key, value in values.items(multi=True))


def _refuse_nul() -> None:
    if NUL in request.path or _has_nul(request.args):
        abort(400)


def init_input_guard(app: Flask) -> None:
    # First of the before_request hooks registered after it, so no other hook reads
    # a NUL-bearing value from the database either. The app's request class is
    # ``uploads.Request``, a ``CleanRequest`` (set by create_app).
    app.before_request(_refuse_nul)


# Control characters other than tab and newline (PostgreSQL refuses NUL in text), C1
# controls, and the bidirectional embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Letters that draw nothing.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"))
# Trimmed at both ends with the whitespace.
_EDGE = "".join(chr(c) for c in range(0x21)) + "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004" \
    "\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202f" \
    "\u205f\u2060\u3000\ufeff"


def is_visible(ch: str) -> bool:
    return not ch.isspace() and ch not in _BLANK_LETTERS \
        and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES


def normalise_text(value: str) -> str:
    """The one rule for posted text (see the module docstring). Not trimmed: services
    trim (``clean_text``), and a field may keep its inner layout."""
    text = unicodedata.normalize(
        "NFC", _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))
    return text if any(is_visible(ch) for ch in text) else ""


class CleanRequest(Request):
    """Every posted form value passes ``normalise_text`` once, when the form is parsed,
    whichever view, form class or service reads it. Uploaded files are not touched."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form:
            self.__dict__["form"] = ImmutableMultiDict(
                [(key, normalise_text(value)) for key, value in form.items(multi=True)])


def clean_text(value: str | None, *, field: str, limit: int, empty: Any = None,
               required: bool = True) -> str | None:
    """User text as stored: newlines normalised, control characters dropped, trimmed.
    Empty text is refused (422 beside ``field``) when ``required``, else None; text over
    ``limit`` characters is refused with the count."""
    text = normalise_text(value or "").strip(_EDGE)
    if not text:
        if required:
            raise ValidationFailed(empty or _l("This cannot be empty."), field=field)
        return None
    if len(text) > limit:
        raise ValidationFailed(
            _l("Keep it to %(limit)d characters or fewer (you wrote %(count)d).",
               limit=limit, count=len(text)), field=field)
    return text
