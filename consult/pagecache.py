"""Cached fragments of public pages, invalidated by a per-round content version.

Every anonymous visitor sees the same list of a round's comments, and rendering it is most
of that page's time (bench P1). So the rendered list is cached under a key that holds the
round's ``content_version``, and every change that can alter the list bumps that version
in the same transaction as the change: once the change commits, no server can serve the
old fragment, because no request can build the old key again (or, for a part kept in one
place whatever its version, ``fragment(..., version=...)``, because the version read must
be the current one). Nothing is ever deleted from the cache; old versions are replaced or
age out.

What bumps a round's version:

- any ORM insert, update or delete of a model a domain registered with
  ``shown_on_rounds`` when the app was created (participation: comments, questions,
  answers, an author's display name; responses: the response and triage; rounds: the
  round itself and a department's name), found by a ``before_flush`` listener, so a new
  write path is covered without remembering to;
- ``touch_rounds(ids)`` for the few counter updates done in SQL (a support), which the ORM
  does not see.

A round also has a ``counts_version``, bumped with the content version by every change
but one that says it moves no count of the round's posts: a support
(``touch_rounds(ids, counts=False)``). What a support does not change is kept under it
(the comment list every reader shares, whose counts of supports are filled in per
request), so the supports of a busy round do not make each request render its list
again. And a ``tally_version``, bumped with them when the kept counts of the round's
comments moved (``touch_rounds(ids, tallies=True)``, from consult.participation.tallies):
what the comments page read of those counts is kept under it (an edit of a comment's
text moves none).

The bump is one ``UPDATE round SET content_version = content_version + 1`` for all the
rounds a transaction touched (the statement the rounds domain registers with
``bump_versions_with``; this core module knows no domain), issued just before it
commits (the rows are already locked by the counters those transactions move, so it adds
no contention).

Text that changes with time alone ("3 minutes ago", the round closing) is handled by the
key (the round's state) and by a short lifetime (``CONSULT_PAGE_CACHE_SECONDS``, 60), which
also bounds how long a change made some way this module does not see could stay unseen.

The cache is Flask-Caching: Redis with ``REDIS_URL`` (shared by every app server), else a
small in-process cache. Correctness does not depend on sharing: keys come from the
database. A cache that fails (Redis down) is skipped, never an error page.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app
from flask_babel import get_timezone
from flask_caching import Cache
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from consult.i18n import current_locale

log = logging.getLogger(__name__)

cache = Cache()

RoundsOf = Callable[[Session, Any], Iterable[int]]
# {model class: [function(session, obj) -> round ids that show it]}, filled by the domains
_SHOWN_ON: dict[type, list[RoundsOf]] = {}
# function(session, round ids, of them the rounds whose counts may have moved, of them the
# rounds whose kept tallies moved): bump those rounds' versions (the rounds domain's)
_BUMP: list[Callable[[Session, list[int], list[int], list[int]], None]] = []
# session.info: round ids
_TOUCHED, _COUNTED, _TALLIED = "touched_rounds", "counted_rounds", "tallied_rounds"


def init_app(app) -> None:
    config = app.config
    config.setdefault("PAGE_CACHE", True)
    config.setdefault("PAGE_CACHE_SECONDS", 60)
    if "CACHE_TYPE" not in config:
        if config.get("REDIS_URL"):
            config["CACHE_TYPE"] = "RedisCache"
            config.setdefault("CACHE_REDIS_URL", config["REDIS_URL"])
        else:
            config["CACHE_TYPE"] = "SimpleCache"
            config.setdefault("CACHE_THRESHOLD", 2000)
    # One database, one namespace: two sites (or test runs) sharing a Redis never mix.
    database = hashlib.sha256(config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:10]
    config.setdefault("CACHE_KEY_PREFIX", f"consult:{database}:")
    config.setdefault("CACHE_DEFAULT_TIMEOUT", config["PAGE_CACHE_SECONDS"])
    cache.init_app(app)


def shown_on_rounds(model: type, rounds_of: RoundsOf) -> None:
    """Declare that rows of ``model`` appear on the cached pages of the rounds
    ``rounds_of(session, obj)`` returns (a domain calls this when the app is created;
    registering the same function again changes nothing)."""
    known = _SHOWN_ON.setdefault(model, [])
    if rounds_of not in known:
        known.append(rounds_of)


def bump_versions_with(bump: Callable[[Session, list[int], list[int], list[int]], None]
                       ) -> None:
    """Set the statement that moves the versions of the rounds given: the content version
    of all, the counts version of the second list and the tally version of the third (the
    rounds domain's ``UPDATE``)."""
    _BUMP[:] = [bump]


def touch_rounds(session: Session, round_ids: Iterable[int | None], *,
                 counts: bool = True, tallies: bool = False) -> None:
    """Mark rounds whose cached pages a SQL-level change (not seen by the ORM) alters;
    ``counts=False`` when it moves no count of their posts (a support); ``tallies=True``
    when the kept counts of their comments moved (consult.participation.tallies)."""
    ids = {i for i in round_ids if i}
    session.info.setdefault(_TOUCHED, set()).update(ids)
    if counts:
        session.info.setdefault(_COUNTED, set()).update(ids)
    if tallies:
        session.info.setdefault(_TALLIED, set()).update(ids)


def round_key(round_: Any) -> tuple:
    """The part of a key that names one round's content as it is now. ``created_at`` keeps
    a database rebuilt under the same name (ids and versions from 1 again) apart."""
    return (*round_place(round_), round_.content_version)


def round_place(round_: Any) -> tuple:
    """``round_key`` without the content version: the place of a round's part in the store
    when the version is given apart (``fragment(..., version=...)``)."""
    return (round_.id, round_.created_at.timestamp())


def fragment(name: str, key: Iterable[Any], render: Callable[[], Any], *,
             timeout: int | None = None, version: Any = None) -> Any:
    """``render()``'s result for ``key`` (which must name every input of the fragment that
    can change: see ``round_key``) in the current locale and time zone; cached when the
    page cache is on (for ``timeout`` seconds, the page cache's lifetime unless given),
    else simply rendered.

    ``version`` (a round's content version, with ``round_place`` in ``key``): the part is
    kept under ``key`` with the version it was rendered for, and a reading for another
    version renders it again in its place. A part that every change of a busy round
    renders again then takes one place in the store, not one per version: each worker's
    store (without Redis) no longer fills with lists no one can ask for again."""
    if not current_app.config.get("PAGE_CACHE"):
        return render()
    digest = fragment_key(name, key)
    found = kept(digest)
    if found is None:  # the store is out of reach: render, and do not try to keep it
        return render()
    value = found[0]
    if version is not None:
        if value is not None and value[0] == version:
            return value[1]
        value = render()
        keep({digest: (version, value)}, timeout)
        return value
    if value is None:
        value = render()
        keep({digest: value}, timeout)
    return value


def fragments(name: str, keys: dict[Any, Iterable[Any]],
              render: Callable[[list[Any]], dict[Any, Any]], *,
              timeout: int | None = None) -> dict[Any, Any]:
    """``fragment`` for many parts of one kind at once (the cards of a list): ``keys`` is
    {part id: its key, as ``fragment``'s}; returns {part id: part}, read from the store in
    one call, ``render(ids)`` ({id: part}) called once for all the parts it lacks. With
    the page cache off every part is rendered."""
    if not keys:
        return {}
    if not current_app.config.get("PAGE_CACHE"):
        return render(list(keys))
    scope = _scope()
    digests = {part: fragment_key(name, key, scope) for part, key in keys.items()}
    found = kept(*digests.values())
    if found is None:
        return render(list(keys))
    out = {part: value for part, value in zip(digests, found, strict=True)
           if value is not None}
    missing = [part for part in digests if part not in out]
    if missing:
        made = render(missing)
        keep({digests[part]: made[part] for part in missing}, timeout)
        out.update(made)
    return out


def _scope() -> tuple[str, str]:
    return current_locale(), str(get_timezone())


def fragment_key(name: str, key: Iterable[Any], scope: tuple[str, str] | None = None) -> str:
    """The store's key of a fragment (see ``fragment``): its name and key in the current
    locale and time zone (``scope``, when the caller has it)."""
    parts = (name, *key, *(scope or _scope()))
    return "frag:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def kept(*keys: str) -> list[Any] | None:
    """The values kept under ``keys`` (None for each one missing), or None when the store
    is out of reach: an outage (Redis down) must cost speed, never the page."""
    try:
        return list(cache.get_many(*keys))
    except Exception:
        log.warning("cache store unavailable (get)", exc_info=True)
        return None


def keep(values: dict[str, Any], timeout: int | None = None) -> None:
    """Keep ``values`` (by key) for ``timeout`` seconds (the page cache's lifetime unless
    given); an outage is logged and otherwise ignored."""
    try:
        cache.set_many(values, timeout=timeout)
    except Exception:
        log.warning("cache store unavailable (set)", exc_info=True)


# Where the reader's CSRF token goes in HTML kept for every reader (never user text: that
# is escaped, so "<!--" cannot come from it).
CSRF_MARK = "<!--reader:csrf-->"


def shared_html(html: str) -> str:
    """``html`` rendered in this request, as kept for every reader: the request's CSRF
    token (in its forms) left as ``CSRF_MARK``."""
    return str(html).replace(generate_csrf(), CSRF_MARK)  # (str: Markup would escape it)


def personal(html: str) -> Markup:
    """HTML kept for every reader (``shared_html``, rendered and escaped by Jinja) with this
    reader's CSRF token put in."""
    return Markup(html.replace(CSRF_MARK, generate_csrf()))  # nosec B704


# ---------------------------------------------------------------- invalidation

@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        finders = _SHOWN_ON.get(type(obj))
        if not finders:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        for rounds_of in finders:
            touched.update(i for i in rounds_of(session, obj) if i)
    if touched:  # an ORM change may move any count
        touch_rounds(session, touched)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()  # run _collect for what is still pending (commit would flush anyway)
    ids = session.info.pop(_TOUCHED, None)
    counted = session.info.pop(_COUNTED, None) or set()
    tallied = session.info.pop(_TALLIED, None) or set()
    if ids and _BUMP:
        _BUMP[0](session, sorted(ids), sorted(counted), sorted(tallied))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for key in (_TOUCHED, _COUNTED, _TALLIED):
            session.info.pop(key, None)
