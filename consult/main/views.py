"""The home page (the health checks are in consult.health)."""

from flask import Blueprint

from consult.rounds.listing import open_now
from consult.web import render

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():
    return render("main/index.html", open_items=open_now(limit=5))
