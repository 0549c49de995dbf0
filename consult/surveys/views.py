"""Survey pages: /rounds/<id>/survey (answer), /rounds/<id>/survey/results and the
officials' editor at /manage/rounds/<id>/survey. Thin: services hold every rule."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.clock import now as clock_now
from consult.db import atomic
from consult.errors import InvalidState, PermissionDenied
from consult.extensions import login_manager
from consult.i18n import datetime_min
from consult.questionnaires.forms import QuestionForm, answer_form
from consult.questionnaires.models import Purpose
from consult.questionnaires.services import summarize
from consult.rounds import lifecycle
from consult.rounds.services import get_round
from consult.surveys import services
from consult.surveys.forms import SettingsForm, SurveyForm
from consult.web import page_number, render, respond, submit, wants_fragment

bp = Blueprint("surveys", __name__, template_folder="templates")


def _page_ctx(round_, **ctx):
    at = clock_now()
    return dict(round=round_, now=at, state=lifecycle.state_of(round_, at), **ctx)


def _summary(questions, answer):
    """[(question, what the user answered)] for the department's questions answered."""
    return summarize(questions, services.answers_of(answer)) if answer is not None else []


@bp.route("/rounds/<int:round_id>/survey", methods=["GET", "POST"])
def survey(round_id: int):
    round_ = get_round(current_user, round_id)
    if request.method == "POST" and not current_user.is_authenticated:
        return login_manager.unauthorized()
    survey_ = services.get_survey(round_.id)
    questions = services.list_questions(round_)
    who = services.eligibility(current_user, round_, survey_)
    answer = services.get_answer(current_user, round_)
    form = answer_form(SurveyForm, questions)
    ctx = _page_ctx(round_, survey=survey_, questions=questions, who=who, form=form)
    status, editing = 200, request.args.get("change") == "1"
    if request.method == "POST":
        if not who.allowed:  # 403 before any form message, with who may answer
            raise PermissionDenied(who.message)
        try:
            services.require_open(round_)  # 409 before any form message
        except InvalidState as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            saved, status = submit(form, lambda: services.submit_answer(
                current_user, round_, answers=form.answers(), **form.service_data()))
            if saved is not None:
                if not wants_fragment():
                    flash(_("Thank you — your answer is saved. You can change it until "
                            "%(date)s.", date=datetime_min(round_.survey_closes_at)),
                          "success")
                return respond(
                    redirect_to=url_for(".survey", round_id=round_id),
                    partial="surveys/_survey_panel.html",
                    **dict(ctx, answer=saved, editing=False, just_saved=True,
                           summary=_summary(questions, saved)))
        editing = True
    else:
        if answer is not None:
            form.satisfaction.data = answer.satisfaction.value
            form.rating.data, form.clarity.data = str(answer.rating), str(answer.clarity)
            form.heard.data, form.comment.data = answer.heard.value, answer.comment or ""
            form.fill(services.answers_of(answer))
        if ctx["state"].value == "responded" and current_user.is_authenticated \
                and not who.allowed:
            status = 403
    return render("surveys/survey.html", "surveys/_survey_panel.html", status=status,
                  **dict(ctx, answer=answer, editing=editing or answer is None,
                         just_saved=False, summary=_summary(questions, answer)))


def _format_date(value) -> str:
    return datetime_min(value)


@bp.get("/rounds/<int:round_id>/survey/results")
def results(round_id: int):
    round_ = get_round(current_user, round_id)
    res = services.get_results(round_)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(_results_json(res))
    return render("surveys/results.html", **_page_ctx(round_, results=res))


def _results_json(res: services.Results) -> dict:
    if not res.visible:
        return {"round_id": res.round.id, "visible": False,
                "closes_at": res.closes_at.isoformat() if res.closes_at else None}
    withheld = res.sample == "too_few"
    out = {"round_id": res.round.id, "visible": True, "respondents": res.respondents,
           "participants": res.participants,
           "participant_respondents": res.participant_respondents,
           "sample": res.sample, "open_to_all": res.survey.open_to_all}
    if not withheld:
        out.update(
            satisfaction={b.key: b.count for b in res.satisfaction},
            rating={b.key: b.count for b in res.rating},
            clarity={b.key: b.count for b in res.clarity},
            heard={b.key: b.count for b in res.heard},
            questions=[{"id": q.question.id, "text": q.question.text,
                        "kind": q.question.kind.value, "respondents": q.respondents,
                        "options": [{"id": int(b.key), "text": b.label, "count": b.count}
                                    for b in q.bars]} for q in res.questions])
    return out


# ---------------------------------------------------------------- officials

def _manage_ctx(round_, **ctx):
    return _page_ctx(round_, survey=services.get_survey(round_.id),
                     questions=services.list_questions(round_), **ctx)


@bp.route("/manage/rounds/<int:round_id>/survey", methods=["GET", "POST"])
@login_required
def manage(round_id: int):
    round_ = get_round(current_user, round_id, rule="survey.manage")
    form = QuestionForm(purpose=Purpose.SURVEY)
    settings = SettingsForm(prefix="settings")
    status = 200
    if request.method == "POST":
        question, status = _refuse_if_published(round_, form) or submit(
            form, lambda: services.add_question(current_user, round_, **form.question_data()))
        if question is not None:
            flash(_("The question is added."), "success")
            return redirect(url_for(".manage", round_id=round_id) +
                            f"#question-{question.id}", code=303)
    settings.open_to_all.data = services.get_survey(round_.id).open_to_all
    return render("surveys/manage.html", status=status,
                  **_manage_ctx(round_, form=form, settings=settings))


def _refuse_if_published(round_, form):
    """(None, 409) with the message on the form once the response is published."""
    try:
        services.require_editable(round_)
    except InvalidState as exc:
        form.add_service_error(exc)
        return None, exc.status
    return None


@bp.get("/manage/rounds/<int:round_id>/survey/answers")
@login_required
def written(round_id: int):
    round_ = get_round(current_user, round_id, rule="survey.manage")
    answers = services.list_written(current_user, round_, page=page_number())
    return render("surveys/written.html",
                  **_page_ctx(round_, answers=answers,
                              questions={q.id: q for q in services.list_questions(round_)}))


@bp.post("/manage/rounds/<int:round_id>/survey/settings")
@login_required
def settings(round_id: int):
    round_ = get_round(current_user, round_id, rule="survey.manage")
    settings = SettingsForm(prefix="settings")
    saved, status = _refuse_if_published(round_, settings) or submit(
        settings, lambda: services.set_settings(current_user, round_,
                                                open_to_all=settings.open_to_all.data))
    if saved is not None:
        flash(_("Who may answer the survey is saved."), "success")
        return redirect(url_for(".manage", round_id=round_id), code=303)
    return render("surveys/manage.html", status=status,
                  **_manage_ctx(round_, form=QuestionForm(formdata=None, purpose=Purpose.SURVEY),
                               settings=settings))


@bp.route("/manage/rounds/<int:round_id>/survey/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(round_id: int, question_id: int):
    round_ = get_round(current_user, round_id, rule="survey.manage")
    question = services.get_question(current_user, round_, question_id)
    form = QuestionForm(purpose=Purpose.SURVEY, question=question)
    status = 200
    if request.method == "POST":
        saved, status = _refuse_if_published(round_, form) or submit(
            form, lambda: services.update_question(current_user, round_, question,
                                                   **form.question_data()))
        if saved is not None:
            flash(_("The question is saved."), "success")
            return redirect(url_for(".manage", round_id=round_id) +
                            f"#question-{question_id}", code=303)
    return render("surveys/edit_question.html", status=status,
                  **_page_ctx(round_, question=question, form=form))


@bp.post("/manage/rounds/<int:round_id>/survey/<int:question_id>/delete")
@login_required
def delete_question(round_id: int, question_id: int):
    round_ = get_round(current_user, round_id, rule="survey.manage")
    question = services.get_question(current_user, round_, question_id)
    with atomic():  # CSRF is checked app-wide (CSRFProtect) before this runs
        services.delete_question(current_user, round_, question)
    flash(_("The question is deleted."), "success")
    return redirect(url_for(".manage", round_id=round_id), code=303)
