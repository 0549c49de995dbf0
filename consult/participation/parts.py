"""Parts of a round's list page kept in the page cache, each under a key made of what it
shows: each comment's card and each clause's item in the clause index.

A round's list is rendered again whenever a change moves what it shows (a new comment, an
edit, a moderation; not a support, see consult.participation.reader), yet most of the
comments on the page have not changed: rendering them again was most of a miss's time
(bench P1). So the card of each comment (``comment_card`` in ``_comment.html``: the
comment without its replies, each reader's own parts left as marks) is kept by its own
key, and a miss renders only the cards whose key is new.

The key is everything the card shows, so it cannot go stale: every column of the comment
(its text, status, counts, edits; but the supports, which are the reader's own part),
its author's byline, the byline of the comment it answers, its published outcome, the
clock's minute (the words that say when it was posted, "3 minutes ago", change with time
alone; to the minute, as a list kept whole shows them for up to a minute), the round's
draft version (the clause a card names is one of that version, which is never edited
once published) and whether the round takes replies. The store's key adds the locale and
the time zone.

The header of every page of a round (``_round_header.html``: where it is, its department,
its state and dates, its tabs with their counts) is the same for every reader of the
round: ``round_header`` keeps it under a key of everything it shows, the round's own
columns it reads, its consultation's title and its department's name among them, the
state as of the clock's minute, the page's heading and address.

A list rendered for one reader alone (their comment awaiting review, their own view of a
confidential opinion) does not use the cards: it is rendered whole.

The clause index lists every clause of the draft (a hundred, in a long regulation) with
its counts: each clause's item is kept by the clause (whose text a published version
never changes), its counts, whether it is the clause shown, and the list's sort, so a new
comment renders again only the item of the clause it is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import jinja2
from flask import render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import inspect

from consult import i18n, pagecache
from consult.participation.models import Comment
from consult.rounds import lifecycle
from consult.web import template_module


def _as_plain(attr) -> Callable[[Any], Any] | None:
    """How a column's value goes into a key: an enum as its value, a time as its ISO text
    (each written out in a fraction of the time of its repr, for every card of a list)."""
    kind = attr.columns[0].type.python_type
    if issubclass(kind, Enum):
        return lambda value: None if value is None else value.value
    if issubclass(kind, datetime):
        return lambda value: None if value is None else value.isoformat()
    return None


# Every column of a comment, in a fixed order (read for each card's key), but the number
# of supports: the card leaves it to the reader's own part (the support button, or the
# count), so a support does not change it.
_COLUMNS = tuple((attr.key, _as_plain(attr)) for attr in inspect(Comment).column_attrs
                 if attr.key != "support_count")


def card_key(c: Comment, view: Any, outcomes: Any, ctx: dict, minute: int) -> tuple:
    """Everything ``comment_card`` shows of ``c`` on this list (see the module)."""
    target = view.by_id.get(c.reply_to_id) if c.reply_to_id else None
    outcome = outcomes.comment(c.id) if outcomes is not None and c.depth == 0 else None
    return (ctx["open_now"], ctx["round"].version_id, minute,
            c.byline, target.byline if target is not None else None, outcome,
            *[getattr(c, name) if plain is None else plain(getattr(c, name))
              for name, plain in _COLUMNS])


def cards(view: Any, outcomes: Any, ctx: dict) -> dict[int, Markup]:
    """{comment id: its card} for every comment of ``view``'s page (threads and replies),
    from the page cache, the missing ones rendered in one pass."""
    # The words that say when each comment was posted follow from its time (a column) and
    # the clock's minute ("just now" turns into "1 minute ago" within a minute, as on a
    # list kept whole): worked out per card, they cost more than the rest of its key.
    minute = int(i18n.now().timestamp() // 60)  # the clock ``i18n.relative`` reads
    def render(ids: list[int]) -> dict[int, str]:
        card = template_module("participation/_comment.html", ctx).comment_card
        clause_map = view.clause_by_id
        return {cid: str(card(view.by_id[cid], by_id=view.by_id, supported=(),
                              clause_map=clause_map, outcomes=outcomes,
                              open_now=ctx["open_now"], slots=True))
                for cid in ids}

    kept = pagecache.fragments(
        "participation/card",
        {c.id: card_key(c, view, outcomes, ctx, minute)
         for c in view.by_id.values()},
        render)
    # Markup: each card was rendered (and escaped) by Jinja, now or on an earlier miss.
    return {cid: Markup(html) for cid, html in kept.items()}  # nosec B704


def threads(comments: Iterable[Comment], children: dict[int, list[Comment]],
            max_depth: int, card: Mapping[int, Markup] | Callable[[Comment], Any]) -> Markup:
    """``comments`` as the list's threads, each with its replies (``children``: {comment id:
    [replies]}) nested to ``max_depth``, around each comment's ``card``: {id: card} (the
    cards kept) or a function of the comment (the ``comment_card`` macro). The one place
    this markup is written (``comment_tree`` in ``_comment.html`` calls it): put together
    here, not by a macro call per comment, which was a good part of a miss (bench P1).
    Only integers and a status's fixed value go in besides the cards."""
    kept = card if isinstance(card, Mapping) else None
    out: list[str] = []

    def tree(c: Comment) -> None:
        cid = c.id
        state = "" if c.is_visible else f" comment--withdrawn comment--{c.status.value}"
        out.append(f'<li class="comment comment--depth-{int(c.depth)}{state}" '
                   f'id="comment-{int(cid)}">')
        out.append(str(kept[cid] if kept is not None else card(c)))
        if c.depth < max_depth:
            out.append(f'<ol class="replies" id="replies-{int(cid)}">')
            for child in children.get(cid, ()):
                tree(child)
            out.append("</ol>")
        out.append("</li>")

    for c in comments:
        tree(c)
    # Markup: the cards were rendered (and escaped) by Jinja; the rest is fixed markup.
    return Markup("".join(out))  # nosec B704


def clause_index(view: Any, ctx: dict) -> Markup:
    """The clause index (``_clause_index.html``) whole, from the page cache: kept under the
    counts of every clause, the round's count, the list's sort and the clause shown (a
    change that moves no count, a support or an edit, renders none of it), else around
    its items (``clause_items``)."""
    round_ = ctx["round"]
    shown = view.clause.id if view.clause is not None else None
    facts = _clause_facts(view)
    key = (*pagecache.round_place(round_), view.sort, shown, round_.comment_count, *facts)
    html = pagecache.fragment("participation/clause-index", key, lambda: render_template(
        "participation/_clause_index.html", view=view,
        index_items=clause_items(view, ctx, facts), **ctx))
    # Markup: rendered (and escaped) by Jinja, now or on an earlier miss.
    return Markup(html)  # nosec B704


def _clause_facts(view: Any) -> list[tuple]:
    """(clause id, its count, its stances, whether it is the clause shown) of every clause
    of the draft, in order: what each item of the index shows of the round."""
    shown = view.clause.id if view.clause is not None else None
    out = []
    for cl in view.clauses:
        by_stance = view.stances.get(cl.id)
        out.append((cl.id, view.counts.get(cl.id, 0),
                    tuple(sorted((s.value, n) for s, n in by_stance.items())) if by_stance
                    else (), cl.id == shown))
    return out


def clause_items(view: Any, ctx: dict, facts: list[tuple] | None = None) -> Markup:
    """The clause index's items, every clause of the draft in order, from the page cache:
    kept whole under the counts of every clause (a change of the round that moves none,
    such as a support, renders nothing), else item by item, the missing ones rendered in
    one pass (see the module). ``facts``: ``_clause_facts(view)``, when the caller has
    them."""
    round_ = ctx["round"]
    shown = view.clause.id if view.clause is not None else None
    by_id = view.clause_by_id

    every = {f[0]: f[1:] for f in (facts if facts is not None else _clause_facts(view))}
    scope = (*pagecache.round_place(round_), view.sort)

    def render(ids: list[int]) -> dict[int, str]:
        item = template_module("participation/_clause_item.html", ctx).clause_item
        list_url = url_for("participation.round_comments", round_id=round_.id)
        return {i: str(item(by_id[i], view.counts.get(i, 0), view.stances.get(i),
                            i == shown, list_url, view.sort))
                for i in ids}

    def item_by_item() -> str:
        kept = pagecache.fragments("participation/clause-item",
                                   {i: (*scope, i, *f) for i, f in every.items()}, render)
        return "".join(kept[i] for i in every)

    html = pagecache.fragment("participation/clause-items", (*scope, *every.items()),
                              item_by_item)
    # Markup: each item was rendered (and escaped) by Jinja, now or on an earlier miss.
    return Markup(html)  # nosec B704


def filters(view: Any, ctx: dict) -> Markup:
    """The list's sort and filters (every clause of the draft in a menu), kept by the
    draft's version and the choices made: nothing a new comment changes."""
    round_ = ctx["round"]
    html = pagecache.fragment(
        "participation/comment-filters",
        (*pagecache.round_place(round_), round_.version_id, view.sort,
         view.clause.id if view.clause is not None else None,
         view.stance.value if view.stance is not None else None),
        lambda: str(template_module("participation/_comment_filters.html", ctx)
                    .comment_filters(round_, view)))
    # Markup: rendered (and escaped) by Jinja, now or on an earlier miss.
    return Markup(html)  # nosec B704


def list_parts(view: Any, outcomes: Any, ctx: dict) -> dict[str, Markup]:
    """Every part of a list kept by its own key: the cards and the filters, as
    ``_comments.html`` takes them, and the clause index whole."""
    return {"cards": cards(view, outcomes, ctx), "filters": filters(view, ctx),
            "index": clause_index(view, ctx)}


@jinja2.pass_context
def round_header(context: Any, heading: str, about_survey: bool = False) -> Markup:
    """A round's page header (``_round_header.html``, the tabs included) for the page being
    rendered (``context``: its ``round``, ``state`` and ``now``), from the page cache
    (see the module). ``about_survey``: the survey's dates rather than the comment
    period's."""
    r = context["round"]
    consultation, now = r.consultation, context.get("now")
    shown = lifecycle.state_view(r, now)
    key = (*pagecache.round_place(r), heading, about_survey, str(context.get("state")),
           shown.state.value, shown.overdue, int(i18n.now().timestamp() // 60),
           request.endpoint, request.script_root, r.title, r.kind.value, r.opens_at,
           r.closes_at, r.closed_at, r.response_due_at, r.response_published_at,
           r.survey_closes_at, r.comment_count, r.question_count, r.version.number,
           consultation.id, consultation.title,
           consultation.department.display_name(i18n.current_locale()))

    def rendered() -> str:
        values = {**context.get_all(), "heading": heading}
        if about_survey:
            values["about_survey"] = True
        return context.environment.get_template("participation/_round_header.html").render(
            values)

    # Markup: rendered (and escaped) by Jinja, now or on an earlier request.
    return Markup(pagecache.fragment("participation/round-header", key, rendered))  # nosec B704
