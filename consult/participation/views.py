from flask import Blueprint

bp = Blueprint("participation", __name__, template_folder="templates")
