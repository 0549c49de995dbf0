"""Typed service errors and the app-wide error handlers."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.extensions import db, htmx


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        # Keep the message lazy: rendering it here would read the locale (and so the
        # current user) while the session may be waiting for a rollback.
        super().__init__(message)
        self.message, self.field = message, field

    def __str__(self) -> str:
        return str(self.message)


class NotFound(ServiceError):
    status = 404


class PermissionDenied(ServiceError):
    status = 403


class InvalidState(ServiceError):
    status = 409


class Conflict(ServiceError):
    status = 409


class ValidationFailed(ServiceError):
    status = 422


class RateLimited(ServiceError):
    status = 429


TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This cannot be done right now"),
    413: _l("What you sent is too large"),
    422: _l("Please correct what you entered"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}

DEFAULT_MESSAGES = {
    400: _l("Please go back, reload the page and try again."),
    403: _l("You are not allowed to do this."),
    404: _l("Check the address, or go back to the home page."),
    405: _l("Go back and use the buttons on the page."),
    409: _l("Reload the page to see its current state."),
    413: _l("Make it smaller and try again."),
    422: _l("Some of what you entered could not be accepted."),
    429: _l("Please wait a little and try again."),
    500: _l("The error has been logged. Please try again later."),
}


def _takes_files() -> bool:
    """Whether the request's view takes an uploaded file (marked by ``uploads.takes_files``,
    a layer above: read as the plain attribute it sets)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "takes_files", False))


def render_error(status: int, message: str | None = None, *, headers=None):
    message = message or DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[500])
    title = TITLES.get(status, TITLES[500])
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify(error={"status": status, "title": str(title), "message": str(message)})
        response.status_code = status
    else:
        fragment = bool(htmx) and not htmx.boosted
        template = "errors/_message.html" if fragment else "errors/error.html"
        response = make_response(
            render_template(template, status=status, title=title, message=message), status
        )
        response.vary.add("HX-Request")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        db.session.rollback()
        return render_error(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return render_error(
            400, _l("Your form expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        headers = {}
        if status == 405 and exc.get_response().headers.get("Allow"):
            headers["Allow"] = exc.get_response().headers["Allow"]
        if status == 429:
            retry = getattr(exc, "retry_after", None) or exc.get_response().headers.get(
                "Retry-After"
            )
            if retry:
                headers["Retry-After"] = str(retry)
        message = None
        if status == 429:
            message = _l("You have done this too often. Please wait a little and try again.")
        if status == 413 and _takes_files():  # say how large a file may be
            message = _l("A file may be at most %(mb)d MB. Go back and choose a smaller "
                         "file, or scan at a lower resolution.",
                         mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024))
        return render_error(status, message, headers=headers)

    @app.errorhandler(500)
    def _server_error(exc):
        db.session.rollback()
        return render_error(500)
