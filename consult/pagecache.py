"""Cached fragments of public pages, invalidated by a per-round content version.

Every anonymous visitor sees the same list of a round's comments, and rendering it is most
of that page's time (bench P1). So the rendered list is cached under a key that holds the
round's ``content_version``, and every change that can alter the list bumps that version
in the same transaction as the change: once the change commits, no server can serve the
old fragment, because no request can build the old key again. Nothing is ever deleted from
the cache; old versions simply age out.

What bumps a round's version:

- any ORM insert, update or delete of a model registered below (comments, questions,
  answers, the round itself, its response and triage, a user's display name, a
  department's name), found by a
  ``before_flush`` listener, so a new write path is covered without remembering to;
- ``touch_rounds(ids)`` for the few counter updates done in SQL (a support), which the ORM
  does not see.

The bump is one ``UPDATE round SET content_version = content_version + 1`` for all the
rounds a transaction touched, issued just before it commits (the rows are already locked
by the counters those transactions move, so it adds no contention).

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
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from consult.i18n import current_locale

log = logging.getLogger(__name__)

cache = Cache()

# {model class: function(session, obj) -> round ids that show it}
_SHOWN_ON: dict[type, Callable[[Session, Any], Iterable[int]]] = {}


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
    if not _SHOWN_ON:
        _register_models()


def shown_on_rounds(model: type, rounds_of: Callable[[Session, Any], Iterable[int]]) -> None:
    """Declare that rows of ``model`` appear on the cached pages of the rounds returned."""
    _SHOWN_ON[model] = rounds_of


def touch_rounds(session: Session, round_ids: Iterable[int | None]) -> None:
    """Mark rounds whose cached pages a SQL-level change (not seen by the ORM) alters."""
    session.info.setdefault("touched_rounds", set()).update(i for i in round_ids if i)


def round_key(round_: Any) -> tuple:
    """The part of a key that names one round's content as it is now. ``created_at`` keeps
    a database rebuilt under the same name (ids and versions from 1 again) apart."""
    return (round_.id, round_.created_at.timestamp(), round_.content_version)


def fragment(name: str, key: Iterable[Any], render: Callable[[], Any]) -> Any:
    """``render()``'s result for ``key`` (which must name every input of the fragment that
    can change: see ``round_key``) in the current locale and time zone; cached when the
    page cache is on, else simply rendered."""
    if not current_app.config.get("PAGE_CACHE"):
        return render()
    parts = (name, *key, current_locale(), str(get_timezone()))
    digest = "frag:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    found = kept(digest)
    if found is None:  # the store is out of reach: render, and do not try to keep it
        return render()
    value = found[0]
    if value is None:
        value = render()
        keep({digest: value})
    return value


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


# ---------------------------------------------------------------- invalidation

@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        rounds_of = _SHOWN_ON.get(type(obj))
        if rounds_of is None:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        touched.update(i for i in rounds_of(session, obj) if i)
    if touched:
        session.info.setdefault("touched_rounds", set()).update(touched)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()  # run _collect for what is still pending (commit would flush anyway)
    ids = session.info.pop("touched_rounds", None)
    if ids:
        from consult.rounds.models import Round
        session.execute(update(Round).where(Round.id.in_(sorted(ids)))
                        .values(content_version=Round.content_version + 1)
                        .execution_options(synchronize_session=False))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("touched_rounds", None)


def _register_models() -> None:
    from consult.accounts.models import Department, User
    from consult.participation.models import Answer, Comment, Question
    from consult.responses.models import RoundResponse, Triage
    from consult.rounds.models import Round

    def own_round(session, obj):
        return (obj.round_id,)

    for model in (Comment, Question, RoundResponse, Triage):
        shown_on_rounds(model, own_round)

    def round_itself(session, obj):
        # Its dates, state and response as the ORM changes them (the hot counters and
        # the version itself move in SQL, unseen here).
        return (obj.id,)

    shown_on_rounds(Round, round_itself)

    def answer_round(session, obj):
        with session.no_autoflush:
            return (session.scalar(select(Question.round_id)
                                   .where(Question.id == obj.question_id)),)

    shown_on_rounds(Answer, answer_round)

    def author_rounds(session, obj):
        """A renamed (or erased) user: the rounds where their name is shown."""
        if obj in session.new or not inspect(obj).attrs.display_name.history.has_changes():
            return ()
        with session.no_autoflush:
            return session.scalars(
                select(Comment.round_id).where(Comment.author_id == obj.id)
                .union(select(Question.round_id).where(Question.author_id == obj.id))).all()

    shown_on_rounds(User, author_rounds)

    def department_rounds(session, obj):
        """A renamed department: it signs the answers on its rounds' question lists."""
        from consult.consultations.models import Consultation
        state = inspect(obj)
        if obj in session.new or not (state.attrs.name.history.has_changes()
                                      or state.attrs.name_en.history.has_changes()):
            return ()
        with session.no_autoflush:
            return session.scalars(
                select(Round.id).join(Consultation, Consultation.id == Round.consultation_id)
                .where(Consultation.department_id == obj.id)).all()

    shown_on_rounds(Department, department_rounds)
