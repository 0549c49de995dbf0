"""/me/data: download all my data (JSON) and delete my account (consult.accounts.privacy).

Both are POSTs (the download writes an audit entry; no GET changes state).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from wtforms import PasswordField, RadioField
from wtforms.validators import DataRequired

from consult.accounts import privacy
from consult.accounts.forms import EmptyForm
from consult.clock import now
from consult.db import atomic
from consult.web import BaseForm, render, submit

bp = Blueprint("privacy", __name__, template_folder="templates")


class DeleteAccountForm(BaseForm):
    content = RadioField(
        _l("What you posted"),
        choices=[("keep", _l("Keep it, shown as written by “Deleted user”")),
                 ("remove", _l("Withdraw my comments and unanswered questions in rounds "
                               "that are still open; keep the rest as “Deleted user”"))],
        default="keep", validators=[DataRequired(_l("Choose what happens to what you posted."))])
    password = PasswordField(_l("Your password"),
                             validators=[DataRequired(_l("Enter your password."))])


@bp.get("/me/data")
@login_required
def my_data():
    return render("accounts/my_data.html", export_form=EmptyForm(),
                  form=DeleteAccountForm(formdata=None))


@bp.post("/me/data/export")
@login_required
def export_my_data():
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for(".my_data"), code=303)
    with atomic():
        data = privacy.export_data(current_user._get_current_object())
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    filename = f"consult-my-data-{now():%Y%m%d}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.post("/me/data/delete")
@login_required
def delete_my_account():
    form = DeleteAccountForm()
    me = current_user._get_current_object()
    result, status = submit(form, lambda: privacy.delete_account(
        me, password=form.password.data, remove_open_content=form.content.data == "remove"))
    if result is not None:
        session.clear()
        logout_user()
        flash(_("Your account has been deleted. Thank you for taking part."), "success")
        return redirect(url_for("main.index"), code=303)
    return render("accounts/my_data.html", export_form=EmptyForm(), form=form, status=status)
