"""Redirect targets a user supplied (``?next=``, a hidden ``next`` field, a stored link):
one function, ``safe_target``, decides whether one stays on this site.

A browser does not follow the string it is sent but what it makes of it: it drops tabs
and newlines anywhere in a URL, trims leading and trailing control characters and
spaces, reads a backslash as a slash, and some stacks decode percent-escapes or fold
full-width forms (NFKC) before they look at the host. So ``"/\\t/evil.example"``
becomes ``//evil.example``, another host. The target is normalised the same way
first, then only a plain path of this site is accepted: it starts with exactly one
slash followed by an ordinary path character, has no scheme and no host in any of
its readings, and carries no invisible characters. Anything else gives the default.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_TARGET = 2000
# What may follow the leading slash: the start of a path segment, a query or a fragment
# (a percent-escape is read again decoded). Never a second slash, a backslash or a
# look-alike of one.
_SECOND = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789?#-_.~%")
_SLASH_LIKE = frozenset("\u2044\u2215\u29f8\u29f9\uff0f\uff3c\ufe68\u2216")
_BROWSER_DROPS = str.maketrans("", "", "\t\n\r")


def _browser_form(target: str) -> str:
    """The target as a browser reads it (WHATWG URL parsing, special schemes)."""
    text = target.translate(_BROWSER_DROPS)
    text = text.strip("".join(chr(c) for c in range(0x21)))
    return text.replace("\\", "/")


def _readings(text: str) -> list[str]:
    """Every form some part of the stack may see: as written, percent-decoded (twice,
    for double encoding) and compatibility-folded (full-width ``／`` is ``/``)."""
    once = unquote(text)
    out = [text, once, unquote(once)]
    return out + [unicodedata.normalize("NFKC", r) for r in out]


def _plain_path(text: str) -> bool:
    if not text.startswith("/"):
        return False
    second = text[1:2]
    if second and second not in _SECOND and (second.isascii() or second in _SLASH_LIKE):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def is_safe_target(target: str | None) -> bool:
    """Whether ``target`` is a path of this site however a browser reads it."""
    if not target or len(target) > MAX_TARGET:
        return False
    text = _browser_form(target)
    if any(unicodedata.category(ch)[0] in "CZ" for ch in text):  # invisible, spaces
        return False
    return all(_plain_path(reading.replace("\\", "/")) for reading in _readings(text))


def safe_target(target: str | None, default: str) -> str:
    """``target`` in the form a browser follows if it stays on this site, else ``default``."""
    return _browser_form(target) if target and is_safe_target(target) else default
