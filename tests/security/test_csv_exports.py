"""Every CSV the site hands out, in both languages: no column header twice, and no raw
yes/no/True/False cell (true/false is written as the reader's word, 是/否)."""

from __future__ import annotations

import csv
import io

import pytest

from consult.rectification.services.export import CSV_HEADER, csv_row
from consult.rectification.services.reads import Figures
from consult.security.exports import csv_text

# Codes, not words: English readers get "Yes"/"No", Chinese ones 是/否.
RAW = {"yes", "no", "true", "false", "True", "False"}
TABLES = ("departments", "months", "consultations", "rounds", "rectification")


def csv_urls(app, world) -> list[str]:
    """Every GET route that answers a CSV, with the world's ids; the evaluation export
    once per table."""
    ids, urls = world.ids(), []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or ".csv" not in rule.rule:
            continue
        if "table" in rule.arguments:
            urls += [rule.build({"table": t}, append_unknown=False)[1]
                     + f"?department={world.dept_a.id}&consultation={world.consultation.id}"
                     for t in TABLES]
        else:
            urls.append(rule.build({a: ids[a] for a in rule.arguments},
                                   append_unknown=False)[1])
    return urls


def parse(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_csv_export_has_unique_headers_and_worded_flags(app, client, login_as, world,
                                                              locale):
    urls = csv_urls(app, world)
    assert len(urls) >= len(TABLES) + 4, urls  # the walk found the exports
    problems, checked = [], 0
    raw_cells = RAW | ({"Yes", "No"} if locale == "zh_CN" else set())
    for role in ("admin", "evaluator"):
        client.delete_cookie("session")
        login_as(world.users[role])
        client.set_cookie("locale", locale)
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/csv":
                continue
            checked += 1
            header, *rows = parse(response)
            seen = [h for i, h in enumerate(header) if h in header[:i]]
            if seen:
                problems.append(f"{role} {url}: header twice: {seen}")
            raw = {cell for row in rows for cell in row if cell.strip() in raw_cells}
            if raw:
                problems.append(f"{role} {url}: raw flags {sorted(raw)}")
    assert checked >= len(TABLES) + 4, checked
    assert not problems, "\n".join(problems)


def test_the_rectification_row_matches_its_header_and_words_the_flag(app):
    figures = Figures(opened=3, voided=1, appealed=2, flags=["last_twice"])
    row = csv_row(figures, "某局")
    assert len(row) == len(CSV_HEADER)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        from flask_babel import force_locale
        with force_locale("zh_CN"):
            header, line = csv_text([str(h) for h in CSV_HEADER], [row]).lstrip(
                "\ufeff").splitlines()
    assert line.endswith(",是") and len(set(header.split(","))) == len(CSV_HEADER)
