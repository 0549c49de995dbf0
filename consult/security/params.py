"""Query-string values, read by typed and bounded parsers: the one way consult reads
``request.args``.

A value that does not parse is either ignored (the default is used: a filter or a
page number a person may have typed or kept in an old link) or answered with 400
(``strict``: the API, where a client must learn its request was wrong). It never
reaches SQL or date arithmetic unchecked: integers are ASCII digits within the
database's 32-bit range (``"²".isdigit()`` is true in Python and ``int("²")``
raises), dates are real calendar dates in a sane range, enums are one of their
choices, text is cut to a length, bookmarks and cursors are length-bounded tokens
(their content is checked where they are decoded).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l

from consult.errors import ServiceError, ValidationFailed

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER
PAGE_MAX = 100_000
_DIGITS = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"-?[0-9]{1,10}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_TOKEN = re.compile(r"[A-Za-z0-9_=-]{1,500}")
YEARS = (1900, 2999)
E = TypeVar("E")


class BadParameter(ServiceError):
    """A query-string value a strict parser refused: 400 with the parameter's name."""

    status = 400

    def __init__(self, name: str) -> None:
        super().__init__(_l("The value of “%(name)s” is not valid.", name=name), field=name)


def _args(args: Mapping[str, str] | None) -> Mapping[str, str]:
    return request.args if args is None else args


def _raw(args: Mapping[str, str] | None, name: str) -> str:
    value = _args(args).get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _refuse(name: str, strict: bool, default: Any) -> Any:
    if strict:
        raise BadParameter(name)
    return default


def parse_int(raw: object, *, low: int = 0, high: int = INT_MAX) -> int | None:
    """``raw`` (a string from a URL or a form) as an integer in [low, high], else None:
    ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` raises)."""
    text = str(raw).strip() if raw is not None else ""
    pattern = _SIGNED if low < 0 else _DIGITS
    if pattern.fullmatch(text) and low <= int(text) <= high:
        return int(text)
    return None


def ticked_ids(values: Collection[Any] | None, *, most: int, none: Any,
               too_many: Any) -> list[int]:
    """The ids of the ticked boxes of a list (``ids``), each once, in order; anything that
    is not an id is ignored. None ticked (``none``) or more than ``most`` (``too_many``) is
    a ValidationFailed beside the list."""
    ids = sorted({n for n in (parse_int(v, low=1) for v in values or []) if n is not None})
    if not ids:
        raise ValidationFailed(none, field="ids")
    if len(ids) > most:
        raise ValidationFailed(too_many, field="ids")
    return ids


def int_arg(name: str, *, default: int | None = None, low: int = 0, high: int = INT_MAX,
            strict: bool = False, args: Mapping[str, str] | None = None) -> int | None:
    """An integer in [low, high] (ids, counts); ``default`` when absent or not valid."""
    raw = _raw(args, name)
    if not raw:
        return default
    value = parse_int(raw, low=low, high=high)
    return value if value is not None else _refuse(name, strict, default)


def id_arg(name: str, *, strict: bool = False,
           args: Mapping[str, str] | None = None) -> int | None:
    """A database id: 1 .. 2**31-1, else None."""
    return int_arg(name, low=1, strict=strict, args=args)


def page_arg(name: str = "page", *, args: Mapping[str, str] | None = None) -> int:
    """A page number: 1 .. PAGE_MAX; anything else is the first page."""
    return int_arg(name, default=1, low=1, high=PAGE_MAX, args=args) or 1


def enum_arg(name: str, choices: Collection[E], default: E, *, strict: bool = False,
             args: Mapping[str, str] | None = None) -> E:
    raw = _raw(args, name)
    if not raw:
        return default
    for choice in choices:
        if raw == str(choice):
            return choice
    return _refuse(name, strict, default)


def date_arg(name: str, *, strict: bool = False,
             args: Mapping[str, str] | None = None) -> date | None:
    """A calendar date ``YYYY-MM-DD`` between YEARS; None when absent or not valid."""
    raw = _raw(args, name)
    if not raw:
        return None
    return parse_date(raw) or _refuse(name, strict, None)


def parse_date(raw: str) -> date | None:
    match = _DATE.fullmatch(raw.strip())
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not YEARS[0] <= year <= YEARS[1]:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_month(raw: str) -> date | None:
    """``YYYY-MM`` as the first day of that month, or None."""
    match = _MONTH.fullmatch(raw.strip())
    if not match:
        return None
    year, month = (int(g) for g in match.groups())
    if not YEARS[0] <= year <= YEARS[1] or not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def text_arg(name: str, *, limit: int = 200, args: Mapping[str, str] | None = None) -> str:
    """Free text (a search): trimmed, cut to ``limit`` characters."""
    return _raw(args, name)[:limit]


def token_arg(name: str, *, strict: bool = False,
              args: Mapping[str, str] | None = None) -> str | None:
    """An opaque bookmark or cursor: URL-safe base64, at most 500 characters."""
    raw = _raw(args, name)
    if not raw:
        return None
    return raw if _TOKEN.fullmatch(raw) else _refuse(name, strict, None)
