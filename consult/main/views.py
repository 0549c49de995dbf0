"""The home page and the pages about the site (who runs it, contact, privacy,
accessibility); the health checks are in consult.health."""

from flask import Blueprint

from consult.rounds.listing import open_now
from consult.web import render

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():
    return render("main/index.html", open_items=open_now(limit=5))



# Who runs the site and how to reach them, what it does with personal data, and its
# accessibility statement; the operator's details come from the settings (SITE_OWNER,
# SITE_CONTACT_*), shown by the templates with a default in the reader's language.

@bp.get("/about/contact")
def about_contact():
    return render("main/about_contact.html")


@bp.get("/about/privacy")
def about_privacy():
    return render("main/about_privacy.html")


@bp.get("/about/accessibility")
def about_accessibility():
    return render("main/about_accessibility.html")
