"""Round pages: the public round page and the officials' round management.

/rounds/<id>                                  public (sub-paths belong to participation)
/manage/consultations/<id>/rounds             the rounds of a consultation, "add a round"
/manage/rounds/<id>                           edit while scheduled; close early; extend
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.clock import now as clock_now
from consult.rounds import lifecycle, periods, services
from consult.rounds.forms import CloseRoundForm, ExtendRoundForm, RoundForm, user_zone
from consult.web import confirmation_token, confirmed, render, render_confirmation, submit

bp = Blueprint("rounds", __name__, template_folder="templates")


def _tz_name() -> str:
    return str(get_timezone())


# ---------------------------------------------------------------- public

@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    round_ = services.get_round(current_user, round_id)
    now = clock_now()
    return render("rounds/round.html", round=round_, state=lifecycle.state_view(round_, now),
                  now=now, period=periods.of_round(round_, round_.consultation.department),
                  tz_name=_tz_name())


# ---------------------------------------------------------------- manage

@bp.route("/manage/consultations/<int:consultation_id>/rounds", methods=["GET", "POST"])
@login_required
def manage_rounds(consultation_id: int):
    consultation = services.get_consultation_for_rounds(current_user, consultation_id)
    form = RoundForm(versions=consultation.versions)
    if not form.is_submitted():
        _suggest_dates(form)
    created, status = submit(form, lambda: services.add_round(
        current_user, consultation, **form.service_data()))
    if created is not None:
        flash(_("The round is scheduled."), "success")
        return redirect(url_for(".manage_round", round_id=created.id), code=303)
    if status >= 400:  # the failed transaction expired what was loaded: load it again
        consultation = services.get_consultation_for_rounds(current_user, consultation_id)
    return render("rounds/manage_rounds.html", consultation=consultation,
                  rounds=consultation.rounds, form=form, now=clock_now(), tz_name=_tz_name(),
                  status=status)


def _local_day(days: int, hour: int) -> datetime:
    zone = user_zone()
    return (clock_now().astimezone(zone) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)


def _suggest_dates(form: RoundForm) -> None:
    """A blank "add a round" form suggests a usual schedule: from tomorrow morning for
    thirty days (the usual statutory minimum), the response two weeks after the close."""
    form.opens_at.data = _local_day(1, 9)
    form.closes_at.data = _local_day(30, 18)
    form.response_due_at.data = _local_day(44, 18)


def _manage_page(round_id: int, *, edit_form=None, close_form=None, extend_form=None,
                 status=200, round_=None, versions=None):
    if round_ is None or status >= 400:  # a failed transaction expired what was loaded
        round_, versions = _load_managed(round_id)
    now = clock_now()
    if edit_form is None:
        edit_form = RoundForm(formdata=None, versions=versions, data=_round_data(round_))
    return render(
        "rounds/manage_round.html", round=round_, state=lifecycle.state_view(round_, now), now=now,
        period=periods.of_round(round_, round_.consultation.department),
        tz_name=_tz_name(), edit_form=edit_form,
        close_form=close_form or CloseRoundForm(formdata=None, prefix="close"),
        extend_form=extend_form or ExtendRoundForm(
            formdata=None, prefix="extend",
            data={"new_closes_at": round_.closes_at + timedelta(days=7)}),
        close_token=confirmation_token(CLOSE_EARLY, _close_state(round_, now)),
        status=status)


CLOSE_EARLY = "round.close-early"


def _close_state(round_, now=None) -> dict:
    """What the close-early confirmation is for: this round, open (a replay once it is
    closed is a 409)."""
    return {"id": round_.id, "state": str(lifecycle.state_of(round_, now or clock_now()))}


def _round_data(round_) -> dict:
    return dict(kind=round_.kind.value, version_number=round_.version.number,
                title=round_.title, opens_at=round_.opens_at, closes_at=round_.closes_at,
                response_due_at=round_.response_due_at, survey_days=round_.survey_days,
                show_live_results=round_.show_live_results,
                short_period_reason=round_.short_period_reason)


def _load_managed(round_id: int):
    round_ = services.get_round(current_user, round_id, rule="round.manage")
    return round_, services.versions_of(round_.consultation_id)


@bp.route("/manage/rounds/<int:round_id>", methods=["GET", "POST"])
@login_required
def manage_round(round_id: int):
    round_, versions = _load_managed(round_id)
    form = RoundForm(versions=versions)
    done, status = submit(form, lambda: services.edit_round(
        current_user, round_, **form.service_data()))
    if done is not None:
        flash(_("The round is saved."), "success")
        return redirect(url_for(".manage_round", round_id=round_id), code=303)
    return _manage_page(round_id, edit_form=form if form.is_submitted() else None,
                        status=status, round_=round_, versions=versions)


@bp.post("/manage/rounds/<int:round_id>/close")
@login_required
def close_round(round_id: int):
    round_, versions = _load_managed(round_id)
    form = CloseRoundForm(prefix="close")
    reason = (form.reason.data or "").strip()
    if reason and lifecycle.state_of(round_, clock_now()) is lifecycle.RoundState.OPEN \
            and form.validate_on_submit() and not confirmed(CLOSE_EARLY, _close_state(round_)):
        return render_confirmation(
            purpose=CLOSE_EARLY, state=_close_state(round_), title=_("Close the round early"),
            action_label=_("Close the round now"),
            action_url=url_for(".close_round", round_id=round_id),
            back=url_for(".manage_round", round_id=round_id),
            preview="rounds/_close_preview.html", round=round_, reason=reason,
            now=clock_now(), fields=[("close-reason", form.reason.data or "")])
    done, status = submit(form, lambda: services.close_round(
        current_user, round_, reason=form.reason.data))
    if done is not None:
        flash(_("The round is closed. The reason is shown on its public page."), "success")
        return redirect(url_for(".manage_round", round_id=round_id), code=303)
    return _manage_page(round_id, close_form=form, status=status, round_=round_,
                        versions=versions)


@bp.post("/manage/rounds/<int:round_id>/extend")
@login_required
def extend_round(round_id: int):
    round_, versions = _load_managed(round_id)
    form = ExtendRoundForm(prefix="extend")
    done, status = submit(form, lambda: services.extend_round(
        current_user, round_, new_closes_at=form.new_closes_at.data, reason=form.reason.data))
    if done is not None:
        flash(_("The closing date is moved. The change is shown on the public page."),
              "success")
        return redirect(url_for(".manage_round", round_id=round_id), code=303)
    return _manage_page(round_id, extend_form=form, status=status, round_=round_,
                        versions=versions)
