"""What the bench serves with gunicorn: consult as ``wsgi.py`` builds it (warm-up included),
plus the floors and the ``X-Queries`` header of ``bench/floor.py``."""

from bench.floor import count_queries, floor_blueprint
from consult.extensions import csrf
from wsgi import app

floor = floor_blueprint()
csrf.exempt(floor)  # the floors measure bare Flask: no session, no form
app.register_blueprint(floor)
count_queries(app)
