"""View helpers shared by every blueprint: page-or-fragment rendering, forms, pagination."""

from __future__ import annotations

from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from math import ceil
from typing import Any, TypeVar

from babel import support
from flask import current_app, make_response, redirect, render_template, request, url_for
from flask.wrappers import Response
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlakeyset import select_page, serialize_bookmark, unserialize_bookmark
from sqlalchemy import Column, Select, UnaryExpression, func, inspect, select
from sqlalchemy.sql import operators
from wtforms.i18n import messages_path

from consult.db import atomic
from consult.errors import (
    Conflict,
    InvalidState,
    RateLimited,
    ServiceError,
    ValidationFailed,
)
from consult.extensions import db, htmx
from consult.security.params import page_arg

T = TypeVar("T")


def wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, partial: str | None = None, *, status: int = 200,
           **ctx: Any) -> Response:
    """Full page for browsers, boosted links and history restores; fragment for htmx swaps."""
    chosen = partial if partial and wants_fragment() else template
    response = make_response(render_template(chosen, **ctx), status)
    response.vary.add("HX-Request")  # caches must not mix page and fragment
    return response


def template_module(name: str, ctx: dict[str, Any]) -> Any:
    """The template ``name`` as a module (its macros) made with ``ctx`` and everything the
    app puts in a page's context (current_user, csrf_token, ...): to call a template's
    macro from Python for many items of a page."""
    context = dict(ctx)
    current_app.update_template_context(context)
    return current_app.jinja_env.get_template(name).make_module(context)


def respond(*, redirect_to: str, partial: str | None = None, **ctx: Any) -> Response:
    """After a successful POST: the refreshed fragment for htmx, else 303 (POST/redirect/GET)."""
    if partial and htmx and not htmx.boosted:
        response = make_response(render_template(partial, **ctx))
        response.vary.add("HX-Request")
        return response
    return redirect(redirect_to, code=303)


_WTFORMS_CATALOGS: dict[str, support.NullTranslations] = {}


class BaseForm(FlaskForm):
    """A form that hands clean data to a service and shows service errors beside fields."""

    form_errors_top: list[str]

    class Meta:
        def get_translations(self, form: Any) -> support.NullTranslations | None:
            """WTForms' own messages ("This field is required.") in the page's language,
            from its catalog kept per locale: Flask-WTF reads the catalog file again on
            every request that makes a form (about half a millisecond each time)."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            locale = get_locale()
            key = str(locale)
            if key not in _WTFORMS_CATALOGS:
                _WTFORMS_CATALOGS[key] = support.Translations.load(
                    messages_path(), [locale], domain="wtforms")
            return _WTFORMS_CATALOGS[key]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_errors_top = []

    def service_data(self, *exclude: str) -> dict[str, Any]:
        skip = {"csrf_token", "submit", *exclude}
        return {name: field.data for name, field in self._fields.items() if name not in skip}

    def add_service_error(self, exc: ServiceError) -> None:
        field = self._fields.get(exc.field) if exc.field else None
        if field is not None:
            field.errors = [*field.errors, str(exc.message)] if isinstance(
                field.errors, list
            ) else [str(exc.message)]
        else:
            self.form_errors_top.append(str(exc.message))

    @property
    def all_errors(self) -> list[tuple[str | None, str, str]]:
        """(field id, label, message) for the error summary at the top of the page."""
        out: list[tuple[str | None, str, str]] = [(None, "", m) for m in self.form_errors_top]
        for field in self._fields.values():
            for message in field.errors if isinstance(field.errors, list) else []:
                out.append((field.id, str(field.label.text), str(message)))
        return out


# An id no row has: a link is built once with it, then each row's id put in its place.
_SAMPLE_ID = 918_273_645_546_372
_SAMPLE = str(_SAMPLE_ID)


class IdUrls:
    """``url_for(endpoint, **{name: id}, **values)`` for the many ids of one list
    (``id_urls`` in templates): built once per set of ``values``, then each id put in,
    which costs a string replace instead of a route build per row."""

    def __init__(self, endpoint: str, name: str) -> None:
        self.endpoint, self.name = endpoint, name
        self._built: dict[tuple, str | None] = {}

    def __call__(self, id_: int, **values: Any) -> str:
        key = tuple(sorted(values.items()))
        try:
            url = self._built[key]
        except KeyError:
            url = url_for(self.endpoint, **{self.name: _SAMPLE_ID}, **values)
            # (another value holding the sample's digits: build each link whole)
            url = self._built[key] = url if url.count(_SAMPLE) == 1 else None
        if url is None:
            return url_for(self.endpoint, **{self.name: id_}, **values)
        return url.replace(_SAMPLE, str(int(id_)))


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    # Keyset bookmarks of the neighbouring pages (``?at=``), when the list was read by key.
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number() -> int:
    return page_arg()


def paginate(stmt: Select, *, page: int, per_page: int, count: bool = True,
             total: int | None = None) -> Page:
    """Two queries whatever the size: the count (unless the caller knows the ``total``)
    and the slice."""
    if total is None:
        total = _count(stmt) if count else 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


def keyset_paginate(stmt: Select, *, page: int, per_page: int, cursor: str | None,
                    key_types: tuple[type, ...], total: int | None = None,
                    params: dict[str, Any] | None = None) -> Page:
    """A page read by its sort key instead of OFFSET (sqlakeyset): the 200th page costs
    what the first does. ``cursor`` is the ``?at=`` bookmark of the link followed, checked
    against ``key_types`` (the Python types of the ORDER BY columns); a page asked for by
    number alone (a typed or old link) is read by OFFSET, and so is one whose bookmark is
    not valid. ``page`` only numbers the page for display. ``total``: the number of rows
    of ``stmt``, when the caller has counted them already (else one more query).
    ``params``: the values of ``stmt``'s bound parameters (a statement built once)."""
    place = _bookmark(cursor, key_types)
    keys = _entity_keys(stmt) if place is None and page == 1 else None
    if keys is not None:
        # The first page, ordered by the entity's own columns (a list's default order),
        # read as a plain LIMIT with the next page's bookmark made from its last row, in
        # sqlakeyset's own format (its select_page wraps the statement to read the keys
        # as extra columns: a third of the first page's time, which every reader of a
        # round's list asks for).
        # (unique: as sqlakeyset's pages, whatever eager loads the caller asked for)
        rows = db.session.scalars(stmt.limit(per_page + 1), params).unique().all()
        items = rows[:per_page]
        more = len(rows) > per_page
        return Page(items=items, page=page, per_page=per_page,
                    total=_count(stmt, params) if total is None else total,
                    next_cursor=_opaque(serialize_bookmark(
                        ([getattr(items[-1], key) for key in keys], False))) if more else None)
    if params:  # (sqlakeyset runs the statement as it is: its parameters set in it)
        stmt = stmt.params(params)
    if place is None and page > 1:
        return paginate(stmt, page=page, per_page=per_page, total=total)
    result = select_page(db.session, stmt, per_page=per_page, page=place)
    paging = result.paging
    return Page(items=[row[0] for row in result], page=page, per_page=per_page,
                total=_count(stmt) if total is None else total,
                next_cursor=_opaque(paging.bookmark_next) if paging.has_next else None,
                prev_cursor=_opaque(paging.bookmark_previous)
                if paging.has_previous and page > 2 else None)


@lru_cache(maxsize=128)  # (the lists' statements are built once: see their services)
def _entity_keys(stmt: Select) -> tuple[str, ...] | None:
    """The attribute names of ``stmt``'s ORDER BY columns when each is a column of the one
    entity it selects (ascending or descending, no NULLS FIRST/LAST), else None."""
    described = stmt.column_descriptions
    if len(described) != 1 or described[0].get("entity") is None:
        return None
    mapper = inspect(described[0]["entity"])
    keys = []
    for clause in stmt._order_by_clauses:
        column = clause
        if isinstance(clause, UnaryExpression):
            if clause.modifier not in (operators.asc_op, operators.desc_op):
                return None
            column = clause.element
        if not isinstance(column, Column) or column.table is not mapper.local_table:
            return None
        keys.append(mapper.get_property_by_column(column).key)
    return tuple(keys) or None


def newest_by_id(stmt: Select, id_col, *, before: int | None, limit: int) -> tuple[list, bool]:
    """Rows of a service's statement newest first by id, after the id ``before`` (the API's
    cursor pages): one query for ``limit + 1`` rows; the flag says whether more follow."""
    if before is not None:
        stmt = stmt.where(id_col < before)
    rows = db.session.scalars(stmt.order_by(id_col.desc()).limit(limit + 1)).unique().all()
    return list(rows[:limit]), len(rows) > limit


def rows_of(stmt: Select) -> Iterator[Any]:
    """The rows of a service's statement as they are read (exports stream them)."""
    return iter(db.session.scalars(stmt).unique())


def _opaque(bookmark: str) -> str:
    """A bookmark as a short URL-safe token (sqlakeyset's own has spaces, ``+`` and ``>``)."""
    return urlsafe_b64encode(bookmark.encode()).decode().rstrip("=")


def _bookmark(cursor: str | None, key_types: tuple[type, ...]):
    if not cursor or len(cursor) > 500:
        return None
    try:
        bookmark = urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        place, backwards = unserialize_bookmark(bookmark)
    except ValueError:  # not base64, not UTF-8, or sqlakeyset's BadBookmark: a forged ?at=
        return None
    if place is None or len(place) != len(key_types) or not all(
            _fits(value, kind) for value, kind in zip(place, key_types, strict=True)):
        return None
    return place, backwards


def _fits(value: Any, kind: type) -> bool:
    """Whether a bookmark value can be bound where a ``kind`` column is compared (a forged
    one must not reach the database as a string, a naive time or a 100-digit number)."""
    if kind is int:
        return type(value) is int and -2**31 <= value < 2**31
    if kind is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, kind)


def _count(stmt: Select, params: dict[str, Any] | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()),
                             params) or 0


def submit(form: BaseForm, action: Callable[[], T], *,
           expire: bool = True) -> tuple[T | None, int]:
    """Validate ``form`` and run ``action`` as one transaction.

    Returns ``(result, 200)`` on success; otherwise ``(None, status)`` with the errors
    placed on the form: 200 for a plain GET, 422 for invalid input, the service error's
    own status (409 for conflicts) for a refused action. Authorization and not-found
    errors propagate to the app's error pages. ``expire`` as for ``atomic``.
    """
    if not form.is_submitted():
        return None, 200
    if not form.validate():
        return None, 422
    try:
        with atomic(expire=expire):
            return action(), 200
    except (ValidationFailed, Conflict, InvalidState, RateLimited) as exc:
        form.add_service_error(exc)
        return None, exc.status



# ---------------------------------------------------------------- confirmations

CONFIRM_MAX_AGE = 3600  # seconds a preview's confirmation stays valid
_CONFIRM_SALT = "consult.confirm"


def _confirmations() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONFIRM_SALT)


def confirmation_token(purpose: str, state: Any) -> str:
    """A signed token for the confirmation of an irreversible action: it names the action
    and the state shown in its preview (ids, what is unpublished yet, a digest of the
    text). Posted back by the confirmation page (no JavaScript) or the dialog."""
    return _confirmations().dumps({"p": purpose, "s": state})


def check_confirmation(token: Any, purpose: str, state: Any, *,
                       max_age: int = CONFIRM_MAX_AGE) -> None:
    """Refuse (409) a confirmation that is not for ``purpose`` in exactly ``state``: from
    an older preview, too old, or replayed after the action changed the state (published,
    closed, answered): nothing happens twice."""
    try:
        data = _confirmations().loads(str(token or ""), max_age=max_age)
    except SignatureExpired:
        raise Conflict(_l("This confirmation is too old. Look at the preview again and "
                          "confirm once more.")) from None
    except BadSignature:
        raise Conflict(_l("This confirmation is not valid. Look at the preview again and "
                          "confirm once more.")) from None
    if not isinstance(data, dict) or data.get("p") != purpose or \
            data.get("s") != _plain(state):
        raise Conflict(_l("This was already done, or changed since its preview: nothing "
                          "was done again. Look at the page as it is now."))


def _plain(state: Any) -> Any:
    """``state`` as it comes back from JSON (tuples become lists)."""
    if isinstance(state, (list, tuple)):
        return [_plain(s) for s in state]
    if isinstance(state, dict):
        return {str(k): _plain(v) for k, v in state.items()}
    return state


CONFIRM_FIELD = "confirm"


def confirmed(purpose: str, state: Any) -> bool:
    """Whether this post carries the signed confirmation of ``purpose`` in ``state``.
    False when it carries none: the view shows the confirmation page and does nothing.
    A wrong, old or replayed confirmation is a 409 (``check_confirmation``)."""
    token = request.form.get(CONFIRM_FIELD)
    if not token:
        return False
    check_confirmation(token, purpose, state)
    return True


def render_confirmation(*, purpose: str, state: Any, title: str, action_label: str,
                        action_url: str, back: str, preview: str,
                        fields: list[tuple[str, str]] | None = None, status: int = 200,
                        **ctx: Any) -> Response:
    """The confirmation page of an irreversible action (the no-JavaScript path; with
    JavaScript a ``<dialog>`` on the page asks the same): what the public will see
    (the ``preview`` template) and one button that posts the same form again, signed."""
    return render("confirm.html", status=status, title=title, action_label=action_label,
                  action_url=action_url, back=back, preview=preview, fields=fields or [],
                  token=confirmation_token(purpose, state), confirm_field=CONFIRM_FIELD,
                  **ctx)
