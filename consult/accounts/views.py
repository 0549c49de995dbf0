"""Account pages: /auth/* (register, verify, login, logout, reset) and /me/* (own account)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from consult.accounts import services
from consult.accounts.forms import (
    ChangePasswordForm,
    EmptyForm,
    LocaleForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from consult.clock import now as clock_now
from consult.db import atomic
from consult.errors import ServiceError
from consult.extensions import htmx, limiter
from consult.i18n import LOCALE_COOKIE, supported_locales
from consult.notifications.services import list_follows
from consult.rectification.services import my_cases
from consult.responses.services import my_opinions
from consult.security import limits as lockout
from consult.security.params import page_arg
from consult.security.redirects import safe_target
from consult.web import render, submit
from consult.workspace.services.start import start_page

bp = Blueprint("accounts", __name__, template_folder="templates")


def _limit(name: str):
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


def _start_session(user, *, remember: bool) -> None:
    """A fresh session on login: nothing from before carries over (no fixation)."""
    session.clear()
    login_user(user, remember=remember)


@bp.route("/auth/register", methods=["GET", "POST"])
@_limit("REGISTER_RATE_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    # The same answer for a new address and one that has an account (sign_up mails the
    # owner instead): no session is started here, the verification link leads to login.
    done, status = submit(form, lambda: services.sign_up(
        locale=request.cookies.get(LOCALE_COOKIE) or None,
        **form.service_data("confirm")) or True)
    if done:
        return render("accounts/register_sent.html", email=services.normalize_email(
            form.email.data))
    return render("accounts/register.html", form=form, status=status)


CHECKED_FIELDS = ("email", "display_name", "password", "confirm")


@bp.post("/auth/register/check")
@_limit("REGISTER_CHECK_RATE_LIMIT")
def register_check():
    """One field of the sign-up form checked as the user leaves it (htmx): its message, or
    nothing. The same rules as the sign-up, never whether the address has an account.
    Without JavaScript (or asked for the whole form) it answers the form with every
    message, and creates nothing."""
    form = RegisterForm()
    form.validate()
    name = request.form.get("field", "")
    if htmx and name in CHECKED_FIELDS:
        return render("macros/_field_feedback.html", f=form[name])
    return render("accounts/register.html", form=form,
                  status=422 if form.all_errors else 200)


@bp.get("/auth/verify/<token>")
def verify(token: str):
    try:
        with atomic():
            verified = services.verify_email(token)
    except ServiceError as exc:
        return render("accounts/verify_failed.html", message=exc.message, status=exc.status)
    if current_user.is_authenticated and current_user.id != verified.id:
        # The link verified the account it was sent for, not the one logged in here.
        flash(_("This link verified the address %(email)s, which belongs to another account "
                "than the one you are logged in with.", email=verified.email), "warning")
    else:
        flash(_("Thank you, your e-mail address is verified."), "success")
    return redirect(url_for("accounts.me") if current_user.is_authenticated
                    else url_for("accounts.login"), code=303)


@bp.post("/auth/verify/resend")
@login_required
@_limit("RESET_RATE_LIMIT")
def resend_verification():
    form = EmptyForm()
    if form.validate_on_submit() and not current_user.is_verified:
        with atomic():
            services.send_verification_mail(current_user)
        flash(_("We sent a new verification link to %(email)s.", email=current_user.email),
              "success")
    return redirect(url_for("accounts.me"), code=303)


@bp.route("/auth/login", methods=["GET", "POST"])
@_limit("LOGIN_RATE_LIMIT")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    target = safe_target(form.next.data, url_for("accounts.me"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    user, status = None, 200
    if form.is_submitted():
        status = 422
        if form.validate():
            locked = lockout.login_locked(form.email.data)
            try:
                if locked:  # no password check while locked: the same answer, "later"
                    raise services.LoginFailed(lockout.lockout_message(),
                                               action="user.login_locked",
                                               email=services.normalize_email(
                                                   form.email.data)[:254])
                with atomic():
                    user = services.authenticate(email=form.email.data,
                                                 password=form.password.data)
                lockout.login_succeeded(form.email.data)
            except services.LoginFailed as failure:
                tell_owner = False
                if not locked and lockout.login_failed(form.email.data):
                    locked = lockout.login_locked(form.email.data)
                    tell_owner = lockout.first_wait(form.email.data)
                    failure = services.LoginFailed(lockout.lockout_message(),
                                                   action=failure.action,
                                                   user_id=failure.user_id, email=failure.email)
                # The refusal rolled back; the audit log keeps it in a transaction of its own.
                form.add_service_error(failure)
                with atomic():
                    services.record_login_failure(failure)
                    if tell_owner:
                        services.warn_of_failed_logins(form.email.data)
                if locked:
                    response = render("accounts/login.html", form=form, status=429)
                    response.headers["Retry-After"] = str(locked)
                    return response
    if user is not None:
        _start_session(user, remember=bool(form.remember.data))
        if not form.next.data:  # staff land on their workspace, citizens on their account
            target = start_page(user) or target
        flash(_("You are logged in."), "success")
        return redirect(target, code=303)
    return render("accounts/login.html", form=form, status=status)


@bp.post("/auth/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:  # copied session or remember cookies stop too
            with atomic():
                services.end_sessions(current_user._get_current_object())
        session.clear()
        logout_user()  # after clear(): it leaves the flag that deletes the remember cookie
        flash(_("You are logged out."), "success")
    return redirect(url_for("main.index"), code=303)


@bp.post("/me/logout-everywhere")
@login_required
def logout_everywhere():
    """Ends every session of the account, on every device, this one included."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.profile"), code=303)
    with atomic():
        services.log_out_everywhere(current_user._get_current_object())
    session.clear()
    logout_user()
    flash(_("You are logged out on every device."), "success")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/auth/reset", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_request():
    form = ResetRequestForm()
    done, status = submit(form, lambda: services.request_password_reset(
        email=form.email.data) or True)
    if done:
        return render("accounts/reset_sent.html", email=form.email.data)
    return render("accounts/reset_request.html", form=form, status=status)


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except ServiceError as exc:
        return render("accounts/verify_failed.html", message=exc.message, status=exc.status,
                      reset=True)
    form = ResetPasswordForm()
    user, status = submit(form, lambda: services.reset_password(
        token=token, password=form.password.data))
    if user is not None:
        _start_session(user, remember=False)
        flash(_("Your password has been changed and you are logged in."), "success")
        return redirect(url_for("accounts.me"), code=303)
    return render("accounts/reset_password.html", form=form, status=status)


@bp.post("/locale")
def set_locale():
    """The language switch: saved on the account when logged in, in a cookie always."""
    form = LocaleForm()
    target = safe_target(form.next.data, url_for("main.index"))
    locale = form.locale.data
    if not form.validate_on_submit() or locale not in supported_locales():
        return render("accounts/locale_failed.html", status=422)
    if current_user.is_authenticated:
        with atomic():
            services.set_locale(current_user, locale)
    response = redirect(target, code=303)
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


# ---------------------------------------------------------------- /me

@bp.get("/me/")
@login_required
def me():
    return render("accounts/me.html", resend_form=EmptyForm(),
                  follows=list_follows(current_user, per_page=10),
                  mine=my_opinions(current_user, page=page_arg()), my_cases=my_cases(current_user),
                  now=clock_now())


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET" and not current_user.locale:
        form.locale.data = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.timezone not in dict(form.timezone.choices):
        form.timezone.choices.insert(0, (current_user.timezone, current_user.timezone))
    user, status = submit(form, lambda: services.update_profile(
        current_user, **form.service_data()))
    if user is not None:
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.me"), code=303)
    return render("accounts/profile.html", form=form, everywhere_form=EmptyForm(),
                  status=status)


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    # The real user, not the current_user proxy: login_user() stores what it is given
    # as the current user, and a proxy to itself recurses until the interpreter crashes.
    me = current_user._get_current_object()
    user, status = submit(form, lambda: services.change_password(
        me, current_password=form.current_password.data,
        new_password=form.new_password.data))
    if user is not None:
        login_user(user)  # every session ended (end_sessions); this one starts again
        flash(_("Your password has been changed. Other devices have been logged out."),
              "success")
        return redirect(url_for("accounts.me"), code=303)
    return render("accounts/change_password.html", form=form, status=status)


