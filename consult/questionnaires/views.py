"""No pages of its own: the blueprint only makes the questionnaire's templates (the
question editor's fields, the answer fields, results blocks) available to the voting and
survey pages that include them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("questionnaires", __name__, template_folder="templates")
