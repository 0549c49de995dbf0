"""Participation pages: comments and questions of a round, the officials' question inbox.

/rounds/<id>/comments           read (sort, filter by clause, paginated); POST a comment or reply
/comments/<id>/reply            the reply form (a page without JS, a fragment with htmx)
/comments/<id>/edit             the author edits within the edit window
/comments/<id>/withdraw         the author withdraws (confirmation page, then POST)
/comments/<id>/support          POST: support on/off (fragment with htmx)
/rounds/<id>/questions          read; POST a question
/questions/<id>/support         POST: "I want to know too" on/off
/questions/<id>/answer          an official of the department answers
/manage/questions               officials: unanswered questions of their departments
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user, login_required
from markupsafe import Markup

from consult import pagecache
from consult.clock import now as clock_now
from consult.db import atomic
from consult.errors import Conflict, InvalidState
from consult.participation import parts, reader, services
from consult.participation.forms import (
    AnswerForm,
    CommentForm,
    ConfirmForm,
    EditCommentForm,
    QuestionForm,
    ReplyForm,
    SupportForm,
)
from consult.participation.models import MAX_DEPTH
from consult.responses.services import outcomes_for
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.services import get_round
from consult.security.params import enum_arg, token_arg
from consult.security.permissions import check
from consult.web import page_number, render, respond, submit, wants_fragment
from consult.workspace.forms import BulkAnswerForm
from consult.workspace.models import OpinionKind, TemplatePurpose
from consult.workspace.services import assignments, replies

bp = Blueprint("participation", __name__, template_folder="templates")


def _takes_part(round_) -> bool:
    """Whether the round takes comments and questions right now (forms are shown)."""
    return (round_.consultation.is_published and round_.kind.has_comments
            and lifecycle.state_of(round_) is RoundState.OPEN)


def _round_ctx(round_) -> dict:
    now = clock_now()
    ctx = {"round": round_, "now": now, "open_now": _takes_part(round_),
           "state": lifecycle.state_of(round_, now), "max_depth": MAX_DEPTH,
           "edit_minutes": int(services.edit_window().total_seconds() // 60)}
    ctx["state_view"] = lifecycle.state_view(round_, now)
    return ctx


# ---------------------------------------------------------------- comments

def _clause_filter(round_):
    raw = request.args.get("clause") or request.args.get("lineage")
    return services.clause_of(round_, raw) if raw else None


def _list_comments(round_, clause, viewer=None) -> dict:
    """What a comment list shows (to ``viewer``, the current user unless given): the page
    of threads and, once the response is published, each opinion's outcome (the responses
    domain's section, one query)."""
    view = services.list_comments(
        current_user if viewer is None else viewer, round_,
        sort=request.args.get("sort", "newest"), clause=clause, page=page_number(),
        per_page=current_app.config.get("PAGE_SIZE", 20), cursor=token_arg("at"),
        stance=request.args.get("stance"))
    # Only a published response gives opinions an outcome: no statement before it.
    outcomes = (outcomes_for(comment_ids=[c.id for c in view.page.items])
                if round_.response_published_at is not None else None)
    return {"view": view, "outcomes": outcomes}


def _comments_page(round_, form: CommentForm | None = None, *, status: int = 200,
                   partial: str | None = "participation/_comments.html"):
    ctx = _round_ctx(round_)
    if form is None and not current_user.is_authenticated:
        return _anonymous_comments_page(round_, ctx)
    if form is None:  # a miss (or the cache off) too: the shared list is cheaper to fill
        page = _reader_comments_page(round_, ctx)  # than this reader's to render whole
        if page is not None:
            return page
    clause = _clause_filter(round_)
    listed = _list_comments(round_, clause)
    if form is None:
        form = CommentForm(formdata=None, clause_id=clause.id if clause else None)
        form.start_proposal_from(clause)
    form.set_clauses(listed["view"].clauses)
    return render("participation/round_comments.html", partial, status=status,
                  form=form, **listed, **ctx)


def _anonymous_comments_page(round_, ctx: dict):
    """A visitor's list page: the list every reader shares (``_shared_list``) with the
    supports each comment has now; the index as it is."""
    # (no form: a visitor who is not logged in is asked to log in instead)
    def rendered() -> dict[str, str]:
        shared, fresh = _shared_list(round_, ctx)
        facts = shared["facts"]
        # (a list rendered in this request shows the supports now already)
        state = reader.VISITOR if fresh else replace(
            reader.VISITOR, counts=reader.support_counts(list(facts)))
        return {"list": str(reader.fill(shared["list"], facts, state, current_user,
                                        ctx["open_now"])),
                "index": shared["index"]}

    return _visitor_page("participation/round_comments.html", None, round_, ctx, rendered)


def _shared_list(round_, ctx: dict) -> tuple[dict, bool]:
    """The list of the page asked for as every reader sees it, their own parts left as
    marks (see consult.participation.reader): rendered once, from the parts kept by their
    own keys (consult.participation.parts), and kept under the round's counts version
    (which a support does not move), or under its content version when it is sorted by
    supports; and whether it was rendered in this request."""
    made: list[bool] = []

    def rendered() -> dict:
        made.append(True)
        clause = _clause_filter(round_)
        listed = _list_comments(round_, clause, viewer=AnonymousUserMixin())
        view = listed["view"]
        kept = parts.list_parts(view, listed["outcomes"], ctx)
        return {"list": render_template("participation/_comments.html", **kept, **listed,
                                        **ctx),
                "index": str(kept["index"]),
                "facts": reader.facts_of(view.by_id.values()),
                "stamp": secrets.token_hex(8)}  # this rendering (reader.fill)

    by_supports = services.sort_of(request.args.get("sort")) == "supported"
    shared = pagecache.fragment(
        "participation/reader-list",
        (*pagecache.round_place(round_), ctx["state"].value, ctx["open_now"], by_supports,
         *sorted(request.args.items(multi=True))), rendered,
        version=round_.content_version if by_supports else round_.counts_version)
    return shared, bool(made)


def _reader_comments_page(round_, ctx: dict):
    """The list page of a logged-in reader: the list shared by every reader
    (``_shared_list``) with this reader's own parts filled in from one query. None for a
    reader with a comment awaiting review in the round (the shared list does not hold it):
    the caller renders theirs alone."""
    shared, _fresh = _shared_list(round_, ctx)
    user = current_user._get_current_object()  # (read many times below: not the proxy)
    state = reader.reader_state(user, round_.id, list(shared["facts"]))
    if state.held:
        return None
    listed = reader.fill(shared["list"], shared["facts"], state, user, ctx["open_now"],
                         stamp=shared["stamp"])
    if wants_fragment():
        response = make_response(listed)
        response.vary.add("HX-Request")
        return response
    # Markup: these parts were rendered (and escaped) by Jinja, now or on an earlier miss.
    return render("participation/round_comments.html", form=None,
                  cached={"list": listed, "index": Markup(shared["index"])},  # nosec B704
                  shared_form=pagecache.personal(_shared_comment_form(round_, ctx)), **ctx)


def _shared_comment_form(round_, ctx: dict) -> str:
    """The new-comment form as every reader who may post gets it: blank, on the clause of
    the page (its proposed-wording box from the clause's text), with ``pagecache.CSRF_MARK`` for the
    token. It shows only the draft's clauses, which a published version never changes, so
    it is kept by the round's draft version, not by its content: a new comment does not
    render it again."""
    def rendered() -> str:
        clause = _clause_filter(round_)
        form = _new_comment_form(round_, clause_id=clause.id if clause else None)
        return pagecache.shared_html(get_template_attribute(
            "participation/_new_comment_form.html", "new_comment_form")(
                form, round_, ctx["edit_minutes"]))

    return pagecache.fragment(
        "participation/new-comment-form",
        (*pagecache.round_place(round_), round_.version_id,
         request.args.get("clause"), request.args.get("lineage"), ctx["edit_minutes"]),
        rendered)


def _visitor_page(page: str, form, round_, ctx: dict, rendered):
    """A round's list page as every visitor who is not logged in sees it alike: its parts
    (``rendered()``: {part: html}, ``list`` first: the htmx fragment) come from the page
    cache (see consult.pagecache), rendered only on a miss."""
    # Every query argument is part of the key: the pagination links carry them all.
    kept = pagecache.fragment(
        page, (*pagecache.round_place(round_), ctx["state"].value, ctx["open_now"],
               *sorted(request.args.items(multi=True))), rendered,
        version=round_.content_version)
    # Markup: each part was rendered (and escaped) by Jinja, now or on an earlier miss.
    cached = {part: Markup(html) for part, html in kept.items()}  # nosec B704
    if wants_fragment():
        response = make_response(cached["list"])
        response.vary.add("HX-Request")
        return response
    return render(page, form=form, cached=cached, **ctx)


@bp.get("/rounds/<int:round_id>/comments")
def round_comments(round_id: int):
    round_ = get_round(current_user, round_id, extensions=False)  # the page shows none
    return _comments_page(round_)


@bp.post("/rounds/<int:round_id>/comments")
@login_required
def post_comment(round_id: int):
    round_ = get_round(current_user, round_id)
    form = CommentForm()
    reply_to = form.parent_id.data
    comment, status = submit(form, lambda: services.post_comment(
        current_user, round_, **form.service_data()))
    if comment is not None:
        comment = services.get_comment(current_user, comment.id)
        anchor = url_for(".round_comments", round_id=round_id, _anchor=f"comment-{comment.id}")
        if not wants_fragment():
            if reply_to:
                flash(_("Your reply was posted."), "success")
            else:
                flash(_("Your comment was posted."), "success")
                flash(_("Your receipt code: %(code)s. Keep it to look up the outcome; we "
                        "have also e-mailed it to you.", code=comment.receipt), "info")
            return redirect(anchor, code=303)
        counts = _changed_clause_counts(comment)
        if reply_to:
            return render("participation/_reply_posted.html", comment=comment,
                          by_id=services.thread_context(comment), target_id=reply_to,
                          supported=set(), clause_counts=counts, **_round_ctx(comment.round))
        return render("participation/_comment_posted.html", comment=comment,
                      form=_new_comment_form(round_, clause_id=comment.clause_id),
                      supported=set(), clause_counts=counts,
                      clause_map={comment.clause_id: comment.clause} if comment.clause_id
                      else {}, **_round_ctx(comment.round))
    if status == 200:  # nothing was submitted
        status = 400
    round_ = get_round(current_user, round_id)  # fresh after the rollback
    if reply_to:
        target = services.get_comment(current_user, reply_to)
        return render("participation/reply.html", "participation/_reply_form.html",
                      status=status, comment=target, form=form, **_round_ctx(round_))
    return _comments_page(round_, form, status=status,
                          partial="participation/_comment_form.html")


def _new_comment_form(round_, clauses=None, *, clause_id: int | None = None) -> CommentForm:
    """A blank form after a post, still on the clause the reader was commenting on (its
    proposed-wording box starting from that clause's text)."""
    form = CommentForm(formdata=None, clause_id=clause_id)
    clauses = services.comments.version_clauses(round_) if clauses is None else clauses
    form.set_clauses(clauses)
    form.start_proposal_from(next((c for c in clauses if c.id == clause_id), None))
    return form


def _changed_clause_counts(comment) -> dict[int, int]:
    """{clause id: count} of the clause a new comment is on (for the out-of-band update
    of the clause index), empty for a comment on the whole draft."""
    if comment.clause_id is None:
        return {}
    return {comment.clause_id:
            services.clause_comment_counts(comment.round_id).get(comment.clause_id, 0)}


@bp.get("/comments/<int:comment_id>/reply")
@login_required
def reply_form(comment_id: int):
    comment = services.get_comment(current_user, comment_id)
    form = ReplyForm(formdata=None, parent_id=comment.id)
    return render("participation/reply.html", "participation/_reply_form.html",
                  comment=comment, form=form, **_round_ctx(comment.round))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment = services.get_comment(current_user, comment_id)
    if not services.comments.check_author(current_user, comment):
        abort(403)
    form = EditCommentForm(obj=comment) if request.method == "GET" else EditCommentForm()
    if request.method == "GET" and not form.proposed_text.data and comment.clause is not None \
            and comment.parent_id is None:
        form.proposed_text.data = comment.clause.body  # new wording starts from the clause
    done, status = submit(form, lambda: services.edit_comment(
        current_user, comment, **form.service_data()))
    if done is not None:
        flash(_("Your comment was changed."), "success")
        return respond(redirect_to=url_for(".round_comments", round_id=comment.round_id,
                                           _anchor=f"comment-{comment_id}"))
    if request.method == "GET" and not services.can_still_edit(comment):
        status = 409
        form.form_errors_top.append(_(
            "Comments can be edited only in the first %(minutes)d minutes after posting. "
            "You can post a new comment instead.",
            minutes=int(services.edit_window().total_seconds() // 60)))
    comment = services.get_comment(current_user, comment_id) if status != 200 else comment
    return render("participation/edit_comment.html", status=status, comment=comment,
                  form=form, **_round_ctx(comment.round))


@bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_comment(comment_id: int):
    comment = services.get_comment(current_user, comment_id)
    if not services.comments.check_author(current_user, comment):
        abort(403)
    form = ConfirmForm()
    done, status = submit(form, lambda: services.withdraw_comment(current_user, comment))
    if done is not None:
        flash(_("Your comment was withdrawn. Its text is no longer shown."), "success")
        return respond(redirect_to=url_for(".round_comments", round_id=comment.round_id,
                                           _anchor=f"comment-{comment_id}"))
    if status != 200:
        comment = services.get_comment(current_user, comment_id)
    return render("participation/withdraw_comment.html", status=status, comment=comment,
                  form=form, **_round_ctx(comment.round))


@bp.post("/comments/<int:comment_id>/support")
@login_required
def support_comment(comment_id: int):
    comment = services.get_comment(current_user, comment_id)
    return _toggle_support(
        lambda wanted: services.set_comment_support(current_user, comment, supported=wanted),
        messages=(_("You no longer support this comment."), _("You support this comment.")),
        anchor=url_for(".round_comments", round_id=comment.round_id,
                       _anchor=f"comment-{comment_id}"),
        fragment=lambda: _fragment_of(services.get_comment(current_user, comment_id),
                                      "participation/_support.html", "comment",
                                      services.supported_ids))


def _toggle_support(change, *, messages: tuple[str, str], anchor: str, fragment):
    """Support (or "I want to know too") on a comment or a question: one transaction; the
    page again (303) without JavaScript, else the button's fragment with what changed."""
    form = SupportForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = bool(form.supported.data)
    try:
        with atomic():
            change(wanted)
    except (Conflict, InvalidState) as exc:
        if not wants_fragment():
            raise  # the error page says why; nothing changed
        message, status = str(exc.message), exc.status
    else:
        message, status = messages[wanted], 200
    if not wants_fragment():
        flash(message, "success")
        return redirect(anchor, code=303)
    template, context = fragment()
    return render(template, status=status, announce=message, focus=True, **context)


def _fragment_of(item, template: str, name: str, supported_of):
    return template, {name: item, "supported": supported_of(current_user, [item.id]),
                      **_round_ctx(item.round)}


# ---------------------------------------------------------------- questions

def _questions_page(round_, form: QuestionForm | None = None, *, status: int = 200,
                    partial: str | None = "participation/_questions.html"):
    ctx = {**_round_ctx(round_), "answer_form": AnswerForm(formdata=None)}

    def listed() -> dict:
        view = services.list_questions(
            current_user, round_, show=request.args.get("show", "all"), page=page_number(),
            per_page=current_app.config.get("PAGE_SIZE", 20), cursor=token_arg("at"))
        return {"view": view,
                "outcomes": outcomes_for(question_ids=[q.id for q in view.page.items])}

    if form is None and not current_user.is_authenticated:
        return _visitor_page(
            "participation/round_questions.html", QuestionForm(formdata=None), round_, ctx,
            lambda: {"list": render_template("participation/_questions.html", **listed(),
                                             **ctx)})
    return render("participation/round_questions.html", partial, status=status,
                  form=form or QuestionForm(formdata=None), **listed(), **ctx)


@bp.get("/rounds/<int:round_id>/questions")
def round_questions(round_id: int):
    return _questions_page(get_round(current_user, round_id))


@bp.post("/rounds/<int:round_id>/questions")
@login_required
def ask_question(round_id: int):
    round_ = get_round(current_user, round_id)
    form = QuestionForm()
    question, status = submit(form, lambda: services.ask_question(
        current_user, round_, **form.service_data()))
    if question is not None:
        anchor = url_for(".round_questions", round_id=round_id,
                         _anchor=f"question-{question.id}")
        if not wants_fragment():
            flash(_("Your question was sent to the department."), "success")
            return redirect(anchor, code=303)
        question = services.get_question(current_user, question.id)
        return render("participation/_question_posted.html", question=question,
                      form=QuestionForm(formdata=None), answer_form=AnswerForm(formdata=None),
                      supported=set(), **_round_ctx(question.round))
    round_ = get_round(current_user, round_id)  # fresh after the rollback
    return _questions_page(round_, form, status=400 if status == 200 else status,
                           partial="participation/_question_form.html")


@bp.post("/questions/<int:question_id>/support")
@login_required
def support_question(question_id: int):
    question = services.get_question(current_user, question_id)
    return _toggle_support(
        lambda wanted: services.set_question_support(current_user, question, supported=wanted),
        messages=(_("Unmarked: you no longer want to know this."),
                  _("Marked: you want to know this too.")),
        anchor=url_for(".round_questions", round_id=question.round_id,
                       _anchor=f"question-{question_id}"),
        fragment=lambda: _fragment_of(services.get_question(current_user, question_id),
                                      "participation/_question_support.html", "question",
                                      services.supported_question_ids))


@bp.route("/questions/<int:question_id>/answer", methods=["GET", "POST"])
@login_required
def answer_question(question_id: int):
    question = services.get_question(current_user, question_id)
    if request.method == "GET" and not check(current_user, "question.answer", question):
        abort(403)
    form = AnswerForm()
    if request.method == "GET" and request.args.get("template"):  # a reply template, to edit
        form.body.data = replies.template_for(question.department_id, TemplatePurpose.QUESTION,
                                              request.args["template"])
    answer, status = submit(form, lambda: services.answer_question(
        current_user, question, **form.service_data()))
    if answer is not None:
        anchor = url_for(".round_questions", round_id=question.round_id,
                         _anchor=f"question-{question_id}")
        if not wants_fragment():
            flash(_("Your answer is published."), "success")
            return redirect(anchor, code=303)
    if status != 200 or answer is not None:
        question = services.get_question(current_user, question_id)
    return render("participation/answer.html", "participation/_question_inner.html",
                  status=status, question=question, answer_form=form,
                  answer_published=answer is not None,
                  supported=services.supported_question_ids(current_user, [question.id]),
                  reply_templates=replies.templates_for(question.department_id,
                                                        TemplatePurpose.QUESTION),
                  **_round_ctx(question.round))


@bp.get("/manage/questions")
@login_required
def question_inbox():
    sort = request.args.get("sort", "waiting")
    who = enum_arg("who", assignments.WHO_CHOICES, assignments.WHO_ALL)
    page = services.question_inbox(current_user, sort=sort, page=page_number(),
                                   per_page=current_app.config.get("PAGE_SIZE", 20),
                                   **assignments.who_filter(current_user,
                                                            OpinionKind.QUESTION, who))
    many = BulkAnswerForm(formdata=None, prefix="many")
    if request.args.get("template"):  # a reply template inserted without JavaScript
        many.body.data = replies.own_template(current_user, TemplatePurpose.QUESTION,
                                              request.args["template"])
    return render("participation/inbox.html", page=page, sort=sort, who=who,
                  now=clock_now(), many=many,
                  reply_templates=replies.templates_of_purpose(current_user,
                                                               TemplatePurpose.QUESTION))
