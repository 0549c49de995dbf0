"""The workspace pages: ``/manage/`` (what waits) and the menu badge."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request
from flask_login import current_user, login_required

from consult.security.permissions import check
from consult.web import render
from consult.workspace.services import waiting
from consult.workspace.services.start import start_page

bp = Blueprint("workspace", __name__, template_folder="templates")

def _department_arg() -> int | None:
    raw = request.args.get("department", "")
    return int(raw) if raw.isdigit() and int(raw) < 2**31 else None


@bp.get("/manage/")
@login_required
def index():
    if not check(current_user, "workspace.view"):
        target = start_page(current_user)
        if target is None:
            abort(403)
        return redirect(target)
    department_id = _department_arg()
    if department_id is not None and department_id not in current_user.official_department_ids:
        abort(404)
    workspace = waiting.waiting_for(current_user, department_id=department_id)
    return render("workspace/index.html", workspace=workspace, department_id=department_id,
                  departments=waiting.departments_of(current_user))


@bp.get("/manage/badge")
@login_required
def badge():
    if not check(current_user, "workspace.view"):
        abort(403)
    return render("workspace/_badge.html", "workspace/_badge.html",
                  count=waiting.waiting_count(current_user))
