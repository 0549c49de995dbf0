"""Home page and health check."""

from flask import Blueprint
from sqlalchemy import text

from consult.extensions import db
from consult.rounds.listing import open_now
from consult.web import render

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():
    return render("main/index.html", open_items=open_now(limit=5))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
