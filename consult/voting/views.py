"""Voting pages: /rounds/<id>/vote, /rounds/<id>/results and the poll editor for
officials at /manage/rounds/<id>/poll. Thin: services hold every rule."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.clock import now as clock_now
from consult.db import atomic
from consult.errors import InvalidState, NotFound, ValidationFailed
from consult.extensions import login_manager
from consult.questionnaires.forms import QuestionForm, answer_form
from consult.questionnaires.models import Purpose
from consult.questionnaires.services import summarize
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.services import get_round
from consult.security.permissions import authorize
from consult.voting import services
from consult.voting.forms import VoteForm
from consult.web import render, respond, submit, wants_fragment

bp = Blueprint("voting", __name__, template_folder="templates")


def _vote_round(round_id: int):
    round_ = get_round(current_user, round_id, extensions=False)
    if not round_.kind.has_vote:
        raise NotFound(_("This round has no vote."))
    return round_


def _page_ctx(round_, **ctx):
    at = clock_now()
    return dict(round=round_, now=at, state=lifecycle.state_of(round_, at), **ctx)


def _ballot_summary(questions, ballot):
    """[(question, [chosen options' texts])] for the questions the ballot answered."""
    return summarize(questions, services.answers_of(ballot)) if ballot is not None else []


@bp.route("/rounds/<int:round_id>/vote", methods=["GET", "POST"])
def vote(round_id: int):
    if request.method == "POST" and current_user.is_authenticated:
        # A ballot holds the round's state until it commits: held before the round is
        # read, the round read below is already the one the ballot is checked against.
        services.hold_round(round_id)
    round_ = _vote_round(round_id)
    if request.method == "POST" and not current_user.is_authenticated:
        return login_manager.unauthorized()
    questions = services.list_questions(round_)
    form = answer_form(VoteForm, questions)
    status, editing = 200, request.args.get("change") == "1"
    if request.method == "POST":
        authorize(current_user, "voting.vote", round_)  # 403 before any form message
        try:
            lifecycle.require(round_, RoundState.OPEN)  # 409 before any form message
        except InvalidState as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            # Not expired at commit: the answer shows only the ballot just written, the
            # poll (fixed while open) and the round's dates read under its lock.
            # Without htmx the answer is a redirect: the ballot need not be read back.
            saved, status = submit(form, lambda: services.cast_ballot(
                current_user, round_, stance=form.stance.data, reason=form.reason.data,
                answers=form.answers(), questions=questions, reread=wants_fragment()),
                expire=False)
            if saved is not None:
                if not wants_fragment():
                    _flash_once(_("Your vote is saved. You can change it until the round "
                                  "closes."), "success")
                    return redirect(url_for(".vote", round_id=round_id), code=303)
                return respond(
                    redirect_to=url_for(".vote", round_id=round_id),
                    partial="voting/_vote_panel.html",
                    **_page_ctx(round_, questions=questions, ballot=saved, form=form,
                                editing=False, just_voted=True,
                                summary=_ballot_summary(questions, saved)))
        editing = True
        ballot = services.get_ballot(current_user, round_)
    else:
        ballot = services.get_ballot(current_user, round_)
        if ballot is not None:
            form.stance.data, form.reason.data = ballot.stance.value, ballot.reason or ""
            form.fill(services.answers_of(ballot))
    return render("voting/vote.html", "voting/_vote_panel.html", status=status,
                  **_page_ctx(round_, questions=questions, ballot=ballot, form=form,
                              editing=editing or ballot is None, just_voted=False,
                              summary=_ballot_summary(questions, ballot)))


def _flash_once(message: str, category: str) -> None:
    """Flash unless the same message is already waiting to be shown (a voter who saves
    twice before the page reloads sees it once; the session cookie stays small)."""
    if (category, message) not in {tuple(f) for f in session.get("_flashes", ())}:
        flash(message, category)


@bp.get("/rounds/<int:round_id>/results")
def results(round_id: int):
    round_ = _vote_round(round_id)
    res = services.get_results(round_)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(_results_json(res))
    return render("voting/results.html", **_page_ctx(round_, results=res))


def _results_json(res: services.Results) -> dict:
    if not res.visible:
        return {"round_id": res.round.id, "visible": False,
                "results_at": res.opens_results_at.isoformat()}
    return {
        "round_id": res.round.id, "visible": True, "live": res.live, "ballots": res.total,
        "stances": {bar.key: bar.count for bar in res.stances},
        "questions": [{"id": q.question.id, "text": q.question.text,
                       "multiple": q.question.multiple, "respondents": q.respondents,
                       "options": [{"id": int(b.key), "text": b.label, "count": b.count}
                                   for b in q.bars]} for q in res.questions],
    }


# ---------------------------------------------------------------- officials: the poll

def _manage_round(round_id: int):
    return get_round(current_user, round_id, rule="voting.manage", extensions=False)


def _save_question(round_, form: QuestionForm, save):
    """A poll question posted: 422 for a round without a vote and 409 outside "scheduled"
    come before the fields' messages; then the form and ``save`` (one transaction)."""
    try:
        services.require_vote(round_)
        lifecycle.require(round_, RoundState.SCHEDULED)
    except (ValidationFailed, InvalidState) as exc:
        form.add_service_error(exc)
        return None, exc.status
    return submit(form, save)


@bp.route("/manage/rounds/<int:round_id>/poll", methods=["GET", "POST"])
@login_required
def manage_poll(round_id: int):
    round_ = _manage_round(round_id)
    form = QuestionForm(purpose=Purpose.POLL)
    status = 200
    if request.method == "POST":
        question, status = _save_question(round_, form, lambda: services.add_question(
            current_user, round_, **form.question_data()))
        if question is not None:
            flash(_("The question is added."), "success")
            return redirect(url_for(".manage_poll", round_id=round_id) +
                            f"#question-{question.id}", code=303)
    questions = services.list_questions(round_) if round_.kind.has_vote else []
    return render("voting/manage_poll.html", status=status,
                  **_page_ctx(round_, questions=questions, form=form))


@bp.route("/manage/rounds/<int:round_id>/poll/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(round_id: int, question_id: int):
    round_ = _manage_round(round_id)
    question = services.get_question(current_user, round_, question_id)
    form = QuestionForm(purpose=Purpose.POLL, question=question)
    status = 200
    if request.method == "POST":
        saved, status = _save_question(round_, form, lambda: services.update_question(
            current_user, round_, question, **form.question_data()))
        if saved is not None:
            flash(_("The question is saved."), "success")
            return redirect(url_for(".manage_poll", round_id=round_id) +
                            f"#question-{question_id}", code=303)
    return render("voting/edit_question.html", status=status,
                  **_page_ctx(round_, question=question, form=form))


@bp.post("/manage/rounds/<int:round_id>/poll/<int:question_id>/delete")
@login_required
def delete_question(round_id: int, question_id: int):
    round_ = _manage_round(round_id)
    question = services.get_question(current_user, round_, question_id)
    with atomic():  # CSRF is checked app-wide (CSRFProtect) before this runs
        services.delete_question(current_user, round_, question)
    flash(_("The question is deleted."), "success")
    return redirect(url_for(".manage_poll", round_id=round_id), code=303)
