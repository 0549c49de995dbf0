"""The sensitive-word list: validation and matching.

Why restricted patterns instead of the ``regex`` module with a timeout: the list is
matched on every post, inside the request; a timeout would still let an admin's
pattern burn up to the timeout on every post, and it adds a dependency. Plain words
(case-insensitive substring) cover most needs; "patterns" are Python regular
expressions limited to a safe subset, checked on the parsed pattern: at most 100
characters, no backreferences or lookaround, no quantifier applied to something
that itself contains a quantifier or an alternation (the shapes of catastrophic
backtracking, e.g. ``(a+)+`` or ``(a|aa)*``), and bounded repeats up to 50. With
these, matching is linear in the text, which is itself limited to 5000 characters.
"""

from __future__ import annotations

import re
from re import _parser as sre_parse  # the stdlib's own parser (no deprecation warning)

from flask_babel import lazy_gettext as _l

from consult.errors import ValidationFailed

MAX_LENGTH = 100
MAX_REPEAT = 50

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT} \
    if hasattr(sre_parse, "POSSESSIVE_REPEAT") else {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
_ATOMIC = getattr(sre_parse, "ATOMIC_GROUP", None)
_FORBIDDEN = {sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS, sre_parse.ASSERT,
              sre_parse.ASSERT_NOT}


def _complex(items) -> bool:
    """Whether a parsed sub-pattern holds a quantifier or an alternation."""
    for op, av in items:
        if op in _REPEATS or op is sre_parse.BRANCH:
            return True
        if op is sre_parse.SUBPATTERN and _complex(av[-1]):
            return True
        if op is _ATOMIC and _complex(av):
            return True
    return False


def _check(items) -> str | None:
    for op, av in items:
        if op in _FORBIDDEN:
            return "forbidden"
        if op in _REPEATS:
            low, high, sub = av
            if high is sre_parse.MAXREPEAT:
                high = None
            if (high is not None and high > MAX_REPEAT) or low > MAX_REPEAT:
                return "repeat"
            if _complex(sub):
                return "nested"
            found = _check(sub)
            if found:
                return found
        elif op is sre_parse.SUBPATTERN:
            found = _check(av[-1])
            if found:
                return found
        elif op is sre_parse.BRANCH:
            for branch in av[1]:
                found = _check(branch)
                if found:
                    return found
    return None


def validate(pattern: str | None, *, is_pattern: bool) -> str:
    """The cleaned term; 422 beside the ``pattern`` field when it is unusable."""
    value = (pattern or "").strip()
    if not value:
        raise ValidationFailed(_l("Enter a word or a pattern."), field="pattern")
    if len(value) > MAX_LENGTH:
        raise ValidationFailed(_l("Keep it to %(limit)d characters or fewer.", limit=MAX_LENGTH),
                               field="pattern")
    if not is_pattern:
        return value
    try:
        parsed = sre_parse.parse(value)
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValidationFailed(_l("This is not a valid pattern: %(error)s", error=str(exc)),
                               field="pattern") from None
    problem = _check(parsed.data if hasattr(parsed, "data") else parsed)
    if problem == "forbidden":
        raise ValidationFailed(_l("Patterns may not use backreferences or lookaround."),
                               field="pattern")
    if problem == "repeat":
        raise ValidationFailed(_l("Repeat counts may not exceed %(limit)d.", limit=MAX_REPEAT),
                               field="pattern")
    if problem == "nested":
        raise ValidationFailed(_l("Patterns may not repeat a group that itself repeats or has "
                                  "alternatives (such as (a+)+): it can make matching very "
                                  "slow."), field="pattern")
    if re.compile(value, re.IGNORECASE).search(""):
        raise ValidationFailed(_l("This pattern matches empty text, so it would hold every post."),
                               field="pattern")
    return value


def first_match(text: str, terms: list[tuple[str, bool]]) -> str | None:
    """The first term that matches ``text`` (case-insensitive), or None."""
    if not text:
        return None
    folded = text.casefold()
    for term, is_pattern in terms:
        if is_pattern:
            if re.search(term, text, re.IGNORECASE):
                return term
        elif term.casefold() in folded:
            return term
    return None
