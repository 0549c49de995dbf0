"""Channels pages: the ledger of a round's opinions from every channel, recording and
importing offline opinions, receipts (printable, and the public lookup). Officials' pages
live under /manage/rounds/<id>/ledger; the lookup is public and rate limited."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import uploads
from consult.channels import services
from consult.channels.forms import (
    ApplyForm,
    ConfirmImportForm,
    HearingForm,
    ImportForm,
    LookupForm,
    MinutesForm,
    RecordForm,
    SelectForm,
)
from consult.channels.models import Selection
from consult.errors import NotFound, PermissionDenied
from consult.extensions import limiter
from consult.participation.services import get_comment
from consult.participation.services.comments import version_clauses
from consult.responses.services import outcomes_for
from consult.rounds.services import get_round
from consult.security.params import id_arg
from consult.security.permissions import check
from consult.web import page_number, render, submit

bp = Blueprint("channels", __name__, template_folder="templates")


def _manage_round(round_id: int):
    return get_round(current_user, round_id, rule="channels.manage")


# ---------------------------------------------------------------- the ledger

@bp.get("/manage/rounds/<int:round_id>/ledger")
@login_required
def ledger(round_id: int):
    round_ = _manage_round(round_id)
    channel = services.parse_channel_filter(request.args.get("channel"))
    ledger = services.list_ledger(current_user, round_, channel=channel, page=page_number())
    outcomes = outcomes_for(comment_ids=[c.id for c in ledger.page.items])
    return render("channels/ledger.html", "channels/_ledger.html", round=round_,
                  ledger=ledger, outcomes=outcomes, channels=list(services.OFFLINE))


@bp.route("/manage/rounds/<int:round_id>/ledger/new", methods=["GET", "POST"])
@uploads.takes_files
@login_required
def record(round_id: int):
    round_ = _manage_round(round_id)
    form = RecordForm()
    form.set_choices(version_clauses(round_), services.hearings_of(round_.id))
    if request.method == "GET" and id_arg("hearing") is not None:
        form.hearing_id.data, form.channel.data = request.args["hearing"][:10], "hearing"

    def action():
        received = uploads.receive(request.files.get("file"), allowed=services.SCAN_KINDS,
                                   required=False)
        hearing = services.hearing_choice(round_, form.hearing_id.data)
        record = services.record_opinion(current_user, round_, file=received, hearing=hearing,
                                         **form.service_data("file", "hearing_id"))
        return record.id, record.comment.receipt

    done, status = submit(form, action)
    if done is not None:
        record_id, receipt = done
        flash(_("The opinion is recorded. Receipt code: %(code)s.", code=receipt), "success")
        return redirect(url_for(".record_detail", round_id=round_id, record_id=record_id),
                        code=303)
    round_ = _manage_round(round_id)
    return render("channels/record.html", status=status, round=round_, form=form)


@bp.get("/manage/rounds/<int:round_id>/ledger/<int:record_id>")
@login_required
def record_detail(round_id: int, record_id: int):
    round_ = _manage_round(round_id)
    record = services.get_record(current_user, record_id, round_)
    outcome = outcomes_for(comment_ids=[record.comment_id]).comment(record.comment_id)
    return render("channels/record_detail.html", round=round_, record=record, outcome=outcome)


@bp.get("/manage/rounds/<int:round_id>/ledger/<int:record_id>/file")
@login_required
def record_file(round_id: int, record_id: int):
    round_ = _manage_round(round_id)
    record = services.get_record(current_user, record_id, round_)
    if record.upload is None:
        raise NotFound(_("This opinion has no attached file."))
    return uploads.send(record.upload)


# ---------------------------------------------------------------- importing

@bp.route("/manage/rounds/<int:round_id>/ledger/import", methods=["GET", "POST"])
@uploads.takes_files
@login_required
def import_sheet(round_id: int):
    round_ = _manage_round(round_id)
    hearings = services.hearings_of(round_.id)
    form = ImportForm()
    form.set_choices(hearings)
    if request.method == "GET" and id_arg("hearing") is not None:
        form.hearing_id.data = request.args["hearing"][:10]

    def action():
        received = uploads.receive(request.files.get("file"), allowed=services.SHEET_KINDS)
        hearing = services.hearing_choice(round_, form.hearing_id.data)
        return services.preview_import(current_user, round_, received,
                                       default_channel=form.channel.data, hearing=hearing)

    preview, status = submit(form, action)
    confirm = None
    if preview is not None:
        status = 200 if preview.ok else 422
        confirm = ConfirmImportForm(formdata=None, upload_id=preview.upload_id,
                                    channel=form.channel.data or "",
                                    hearing_id=form.hearing_id.data or "")
        round_ = _manage_round(round_id)
    return render("channels/import.html", status=status, round=round_, form=form,
                  preview=preview, confirm=confirm)


@bp.post("/manage/rounds/<int:round_id>/ledger/import/confirm")
@login_required
def confirm_import(round_id: int):
    round_ = _manage_round(round_id)
    form = ConfirmImportForm()

    def action():
        hearing = services.hearing_choice(round_, form.hearing_id.data)
        return services.confirm_import(current_user, round_, upload_id=form.upload_id.data,
                                       default_channel=form.channel.data, hearing=hearing)

    done, status = submit(form, action)
    if done is not None:
        flash(_("%(num)d opinions imported. Each has its receipt code in the ledger.",
                num=len(done)), "success")
        return redirect(url_for(".ledger", round_id=round_id), code=303)
    round_ = _manage_round(round_id)
    import_form = ImportForm(formdata=None)
    import_form.set_choices(services.hearings_of(round_.id))
    import_form.form_errors_top = [message for _f, _label, message in form.all_errors]
    return render("channels/import.html", status=status, round=round_, form=import_form,
                  preview=None, confirm=None)


# ---------------------------------------------------------------- receipts

@bp.get("/comments/<int:comment_id>/receipt")
@login_required
def receipt(comment_id: int):
    """The printable receipt: for the author of an online opinion, and for the officials of
    the department (who print it for a letter writer)."""
    comment = get_comment(current_user, comment_id)
    official = check(current_user, "channels.manage", comment.round)
    own = comment.author_id == current_user.id and not comment.is_recorded
    if not (official or own):
        raise PermissionDenied(_("Only the author and the department see this receipt."))
    if not comment.receipt_code:
        raise NotFound(_("This opinion has no receipt (replies have none)."))
    return render("channels/receipt.html", comment=comment, round=comment.round,
                  received_on=services.received_on_of(comment))


def _lookup_limit() -> str:
    return current_app.config["RECEIPT_RATE_LIMIT"]


@bp.route("/receipt", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def lookup():
    """What became of an opinion, for whoever holds its receipt code; a wrong code learns
    nothing (not even whether it was close)."""
    form = LookupForm()
    answer, status = None, 200
    if form.is_submitted():
        if not form.validate():
            status = 422
        elif not (form.code.data or "").strip():
            status = 422
            form.code.errors = [_("Enter the receipt code.")]
        else:
            answer = services.look_up(form.code.data)
            if answer is None:
                status = 404
                form.code.errors = [_("No opinion has this receipt code. Check the code "
                                      "and try again.")]
    return render("channels/lookup.html", "channels/_lookup_result.html", status=status,
                  form=form, answer=answer)


# ---------------------------------------------------------------- hearings

@bp.get("/rounds/<int:round_id>/hearings")
def round_hearings(round_id: int):
    round_ = get_round(current_user, round_id)
    return render("channels/round_hearings.html", round=round_,
                  hearings=services.hearings_of(round_.id))


@bp.get("/hearings/<int:hearing_id>")
def hearing(hearing_id: int, form: ApplyForm | None = None, status: int = 200):
    found = services.get_hearing(hearing_id)
    round_ = get_round(current_user, found.round_id)
    chosen = [a for a in services.applications_of(found) if a.status.value == "selected"] \
        if found.is_selected else []
    return render("channels/hearing.html", status=status, round=round_, hearing=found,
                  mine=services.my_application(current_user, found), chosen=chosen,
                  closed=services.applications_close(found), form=form or ApplyForm())


@bp.post("/hearings/<int:hearing_id>/apply")
@login_required
def apply(hearing_id: int):
    found = services.get_hearing(hearing_id)
    get_round(current_user, found.round_id)  # 404 unless the round is public
    form = ApplyForm()
    done, status = submit(form, lambda: services.apply_to_attend(
        current_user, services.get_hearing(hearing_id), **form.service_data()))
    if done is not None:
        flash(_("Your application is received. You will hear by e-mail whether you are "
                "selected."), "success")
        return redirect(url_for(".hearing", hearing_id=hearing_id), code=303)
    return hearing(hearing_id, form=form, status=status)


@bp.route("/manage/rounds/<int:round_id>/hearings", methods=["GET", "POST"])
@login_required
def hearings(round_id: int):
    round_ = _manage_round(round_id)
    form = HearingForm()
    done, status = submit(form, lambda: services.schedule_hearing(
        current_user, round_, **form.service_data()).id)
    if done is not None:
        flash(_("The hearing is scheduled and open for applications."), "success")
        return redirect(url_for(".hearing_manage", round_id=round_id, hearing_id=done),
                        code=303)
    round_ = _manage_round(round_id)
    return render("channels/hearings.html", status=status, round=round_, form=form,
                  hearings=services.hearings_of(round_.id))


def _hearing_page(round_id: int, hearing_id: int, *, status: int = 200,
                  select_form: SelectForm | None = None,
                  minutes_form: MinutesForm | None = None):
    round_ = _manage_round(round_id)
    found = services.get_hearing(hearing_id, round_)
    applications = services.applications_of(found)
    select_form = select_form or SelectForm(formdata=None)
    select_form.chosen_ids.choices = [(str(a.id), a.user.display_name) for a in applications]
    minutes_form = minutes_form or MinutesForm(formdata=None, minutes=found.minutes or "")
    return render("channels/hearing_manage.html", status=status, round=round_, hearing=found,
                  applications=applications, select_form=select_form,
                  minutes_form=minutes_form, choice=found.selection is Selection.CHOICE)


@bp.get("/manage/rounds/<int:round_id>/hearings/<int:hearing_id>")
@login_required
def hearing_manage(round_id: int, hearing_id: int):
    return _hearing_page(round_id, hearing_id)


@bp.post("/manage/rounds/<int:round_id>/hearings/<int:hearing_id>/select")
@login_required
def hearing_select(round_id: int, hearing_id: int):
    round_ = _manage_round(round_id)
    found = services.get_hearing(hearing_id, round_)
    form = SelectForm()
    done, status = submit(form, lambda: services.select_attendees(
        current_user, round_, found, chosen_ids=request.form.getlist("chosen_ids"),
        reason=form.reason.data))
    if done is not None:
        flash(_("%(chosen)d of %(applicants)d applicants are selected; every applicant is "
                "told by e-mail.", chosen=done.chosen, applicants=done.applicants), "success")
        return redirect(url_for(".hearing_manage", round_id=round_id, hearing_id=hearing_id),
                        code=303)
    return _hearing_page(round_id, hearing_id, status=status, select_form=form)


@bp.post("/manage/rounds/<int:round_id>/hearings/<int:hearing_id>/minutes")
@uploads.takes_files
@login_required
def hearing_minutes(round_id: int, hearing_id: int):
    round_ = _manage_round(round_id)
    found = services.get_hearing(hearing_id, round_)
    form = MinutesForm()

    def action():
        received = uploads.receive(request.files.get("file"), allowed=services.MINUTES_KINDS,
                                   required=False)
        return services.publish_minutes(current_user, round_, found,
                                        minutes=form.minutes.data, file=received)

    done, status = submit(form, action)
    if done is not None:
        flash(_("The minutes are published on the hearing's page."), "success")
        return redirect(url_for(".hearing_manage", round_id=round_id, hearing_id=hearing_id),
                        code=303)
    return _hearing_page(round_id, hearing_id, status=status, minutes_form=form)


@bp.get("/hearings/<int:hearing_id>/minutes")
def hearing_minutes_file(hearing_id: int):
    found = services.get_hearing(hearing_id)
    get_round(current_user, found.round_id)
    if found.minutes_published_at is None or found.minutes_upload is None:
        raise NotFound(_("The minutes of this hearing have no document."))
    return uploads.send(found.minutes_upload)
