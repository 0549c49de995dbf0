"""A web worker starts lean: the production entry point (wsgi.py, warm-up included) and
the CLI import none of the heavy libraries; only the code paths that use them do (the
analysis worker, a chart, a Word file, ``flask db``); the confidence intervals need none.
Checked by what is imported, never by timing (bench P4 measures the time and the memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "scipy", "sklearn", "jieba", "pygal", "pandas", "matplotlib",
         "docx", "lxml", "alembic", "flask_migrate", "babel.messages.frontend",
         "redis")  # redis: only with REDIS_URL set


def imported_after(code: str, tmp_path) -> list[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'lean.sqlite3'}",
           "SECRET_KEY": "lean-start-test-" + "k" * 32, "CONSULT_WARM_UP": "1",
           "CONSULT_TEMPLATE_CACHE": str(tmp_path / "templates")}
    env.pop("REDIS_URL", None)
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_web_entry_point_imports_no_heavy_library(tmp_path):
    assert imported_after("import wsgi", tmp_path) == []


def test_the_analysis_and_the_charts_still_find_theirs(tmp_path):
    found = imported_after(
        "import wsgi\n"
        "from consult.analysis import groups, text, themes\n"
        "from consult.evaluation.charts import chart_library\n"
        "chart_library()", tmp_path)
    assert {"numpy", "scipy", "sklearn", "jieba", "pygal"} <= set(found)


def test_word_files_and_the_migration_commands_still_find_theirs(tmp_path):
    found = imported_after(
        "import wsgi\n"
        "from consult.statutory.blocks import Document\n"
        "from consult.statutory.word import to_docx\n"
        "to_docx(Document(title='t', filename='t', blocks=[{'t': 'p', 'text': 'x'}]))\n"
        "from consult.app import create_app\n"
        "assert 'migrate' in create_app().extensions and 'migrate' not in wsgi.app.extensions",
        tmp_path)
    assert {"docx", "lxml", "alembic", "flask_migrate"} <= set(found)


def test_intervals_need_no_heavy_library(tmp_path):
    assert imported_after(
        "import wsgi\n"
        "from consult.evaluation.intervals import t_interval, wilson\n"
        "wilson(3, 10); t_interval(30, 100, 10)", tmp_path) == []


@pytest.mark.parametrize("module", ["consult.analysis.pipeline", "consult.analysis.jobs",
                                    "consult.evaluation.scores"])
def test_modules_the_web_imports_defer_the_heavy_ones(tmp_path, module):
    assert imported_after(f"import {module}", tmp_path) == []
