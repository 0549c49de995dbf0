"""Home page (the health checks are in consult/health.py)."""

from flask import Blueprint

from consult.web import render

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():
    return render("main/index.html")
