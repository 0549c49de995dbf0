"""URLs carrying NUL characters are refused with 400 before any view runs.

No id, slug or query parameter of consult may contain U+0000, and PostgreSQL cannot
compare or store it in a text column at all (the driver raises, which would be a
500). Refusing it once here, for the path and the query string, keeps every view
simple. Form fields are not refused here: the services clean control characters
out of posted text and answer beside the field. No library does this check;
werkzeug passes NUL through as an ordinary character.
"""

from __future__ import annotations

from flask import Flask, abort, request

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
