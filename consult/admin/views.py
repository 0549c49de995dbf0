"""Administration: users and their roles, departments, the audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accounts import services as accounts
from consult.accounts.forms import DepartmentForm, EmptyForm, UserRolesForm
from consult.accounts.models import Department, Role
from consult.admin import audit_view
from consult.clock import now
from consult.db import atomic
from consult.errors import NotFound
from consult.extensions import db
from consult.security.exports import csv_response
from consult.security.params import text_arg, token_arg
from consult.security.permissions import authorize
from consult.web import keyset_paginate, page_number, render, submit

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
@login_required
def _admins_only():
    authorize(current_user, "admin.users")


@bp.get("/")
def index():
    return redirect(url_for(".users"))


@bp.get("/users")
def users():
    q = text_arg("q", limit=100)
    role = text_arg("role", limit=20)
    page = accounts.search_users(current_user, q=q, role=role, page=page_number(),
                                 cursor=token_arg("at"))
    departments = {d.id: d for d in accounts.list_departments(include_inactive=True)}
    return render("admin/users.html", "admin/_user_rows.html", page=page, q=q, role=role,
                  roles=list(Role), departments=departments)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    target = accounts.get_user(current_user, user_id)
    departments = accounts.list_departments(include_inactive=True)
    form = UserRolesForm()
    form.roles.choices = [(r.value, r.label) for r in Role if r is not Role.OFFICIAL]
    form.department_ids.choices = [(d.id, d.name) for d in departments]
    if request.method == "GET":
        form.roles.data = sorted(r.role.value for r in target.roles if r.role is not Role.OFFICIAL)
        form.department_ids.data = sorted(target.official_department_ids)
    result, status = submit(form, lambda: accounts.set_roles(
        current_user, target, roles=form.roles.data or [],
        department_ids=form.department_ids.data or []))
    if result is not None:
        flash(_("Roles of %(name)s saved.", name=target.display_name), "success")
        return redirect(url_for(".user", user_id=user_id), code=303)
    return render("admin/user.html", form=form, target=target, status_form=EmptyForm(),
                  status=status)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    target = accounts.get_user(current_user, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        active = request.form.get("active") == "1"
        with atomic():
            accounts.set_active(current_user, target, active=active)
        flash(_("Account activated.") if active else _("Account deactivated."), "success")
    return redirect(url_for(".user", user_id=user_id), code=303)


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    form = DepartmentForm()
    dept, status = submit(form, lambda: accounts.create_department(
        current_user, **form.service_data("active")))
    if dept is not None:
        flash(_("Department %(name)s created.", name=dept.name), "success")
        return redirect(url_for(".departments"), code=303)
    return render("admin/departments.html",
                  departments=accounts.list_departments(include_inactive=True),
                  form=form, status=status)


@bp.route("/departments/<int:dept_id>", methods=["GET", "POST"])
def department(dept_id: int):
    dept = db.session.get(Department, dept_id)
    if dept is None:
        raise NotFound(_("There is no such department."))
    form = DepartmentForm(obj=dept)
    result, status = submit(form, lambda: accounts.update_department(
        current_user, dept, **form.service_data()))
    if result is not None:
        flash(_("Department %(name)s saved.", name=dept.name), "success")
        return redirect(url_for(".departments"), code=303)
    return render("admin/department.html", form=form, dept=dept, status=status)


@bp.get("/audit")
def audit_log():
    authorize(current_user, "admin.audit")
    filters, stmt = audit_view.parse(request.args)
    page = keyset_paginate(stmt, page=page_number(), per_page=50,
                           cursor=token_arg("at"), key_types=(int,))
    return render("admin/audit.html", page=page, filters=filters,
                  target_types=audit_view.target_types(),
                  status=422 if filters.errors else 200)


@bp.get("/audit.csv")
def audit_csv():
    """The filtered log as CSV (UTF-8 with a BOM), streamed."""
    authorize(current_user, "admin.audit")
    filters, stmt = audit_view.parse(request.args)
    if filters.errors:
        return audit_log()
    stamp = now().strftime("%Y%m%d-%H%M")
    return csv_response(f"audit-{stamp}.csv", audit_view.CSV_COLUMNS,
                        audit_view.csv_rows(stmt), lazy=True)


