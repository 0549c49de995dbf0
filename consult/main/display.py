"""The elder-friendly display (适老化): larger text, higher contrast, larger targets and a
simpler one-column layout, after the MIIT's design rules for websites used by older
people. A switch in the page header; the choice is kept in a cookie for a year, so it
holds before and after signing in, and needs no JavaScript. Nothing is hidden in it: it
changes how pages look, never what they offer."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from consult.security.redirects import safe_target
from consult.web import BaseForm, render

COOKIE = "display"
ELDER = "elder"
STANDARD = "standard"
ONE_YEAR = 365 * 24 * 3600

bp = Blueprint("display", __name__, template_folder="templates")


class DisplayForm(BaseForm):
    mode = HiddenField(_l("Display"))
    next = HiddenField()


def elder_mode() -> bool:
    """Whether the reader chose the elder-friendly display (templates: ``elder_mode()``)."""
    return request.cookies.get(COOKIE) == ELDER


@bp.post("/display")
def set_display():
    form = DisplayForm()
    target = safe_target(form.next.data, url_for("main.index"))
    mode = form.mode.data
    if not form.validate_on_submit() or mode not in (ELDER, STANDARD):
        return render("main/display_failed.html", status=422)
    response = redirect(target, code=303)
    if mode == ELDER:
        response.set_cookie(COOKIE, ELDER, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    else:
        response.delete_cookie(COOKIE, samesite="Lax", httponly=True,
                               secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
