"""Security headers and the Content Security Policy (Flask-Talisman, the maintained fork)."""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from consult.security.input import init_input_guard
from consult.security.limits import init_limits

# No inline scripts anywhere: htmx and our own script come from /static. Inline
# style attributes are allowed (progress bars and chart widths), scripts are not.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
}

talisman = Talisman()


def init_security(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"
    talisman.init_app(
        app,
        content_security_policy=CSP,
        force_https=production and app.config.get("FORCE_HTTPS", True),
        strict_transport_security=production,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        permissions_policy={"browsing-topics": "()", "geolocation": "()", "camera": "()",
                            "microphone": "()"},
    )
    init_input_guard(app)  # NUL characters: 400 before any view or hook reads them
    init_limits(app)  # rate limits on posting, supporting, voting, the API; login lockout
    # Behind a reverse proxy, trust this many proxies for X-Forwarded-* (0 = none).
    hops = int(app.config.get("PROXY_FIX_HOPS", 0))
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
