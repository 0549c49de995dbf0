"""Journey 5, in zh_CN and English: an evaluator logs in, opens the evaluation dashboard,
compares the departments (satisfaction with its 95% interval, a department with too few
answers), opens a department, one of its consultations and a round's scores, and
downloads the CSV exports; the files are read back and checked against the seeded survey
answers. Runs on the hand-countable world of ``tests.factories.scores_world``.
Screenshots at 1280 and 390 px go to test-artifacts/.
"""

from __future__ import annotations

import csv
import math

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.extensions import db
from consult.rounds.models import Round
from consult.surveys.models import SurveyAnswer
from tests.browser.journey import LOCALES, Journey
from tests.factories import PASSWORD, UserFactory, scores_world

Z95 = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval at 95%, written out (the app uses scipy's)."""
    p = k / n
    denominator = 1 + Z95 ** 2 / n
    centre = (p + Z95 ** 2 / (2 * n)) / denominator
    half = Z95 / denominator * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n))
    return centre - half, centre + half


def pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def seeded(department_id: int) -> dict:
    """What the survey answers of a department's rounds add up to, counted here."""
    answers = db.session.scalars(
        select(SurveyAnswer).join(Round, Round.id == SurveyAnswer.round_id)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(Consultation.department_id == department_id)).all()
    ratings = [a.rating for a in answers]
    return {"n": len(answers),
            "satisfied": sum(a.satisfaction in ("satisfied", "basically_satisfied")
                             for a in answers),
            "heard": sum(a.heard == "yes" for a in answers),
            "rating": sum(ratings) / len(ratings) if ratings else None}


@pytest.mark.parametrize("locale", list(LOCALES))
def test_evaluator_compares_departments_drills_down_and_downloads_csv(
        browser, live, artifacts, locale):
    with live.app.app_context():
        w = scores_world()
        evaluator = UserFactory(email="ping@example.org", display_name="赵评估",
                                role="evaluator")
        name_a, name_b = (w["dept_a"].name_en, w["dept_b"].name_en) if locale == "en" \
            else (w["dept_a"].name, w["dept_b"].name)
        a, b = seeded(w["dept_a"].id), seeded(w["dept_b"].id)
        consultation_title, r1 = w["ca"].title, w["r1"].id
        email = evaluator.email
    assert a["n"] >= 5 > b["n"], "the world needs one scored and one unscored department"
    low, high = wilson(a["satisfied"], a["n"])

    journey = Journey(browser, live, artifacts, "evaluator", locale)
    _, page = journey._, journey.page
    try:
        journey.log_in(email, PASSWORD)
        page.get_by_role("navigation").get_by_role(
            "link", name=_("Evaluation"), exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            _("Evaluation: departments compared"))

        # Departments compared: the scored one first, with its count and interval;
        # the other with too few answers shows no score.
        table = page.get_by_role("table", name=_("Departments, sortable by each score"))
        rows = table.locator("tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0).get_by_role("rowheader")).to_contain_text(name_a)
        first = rows.nth(0)
        expect(first).to_contain_text(pct(a["satisfied"] / a["n"]))
        expect(first).to_contain_text(f"{a['satisfied']} / {a['n']}")
        expect(first).to_contain_text(
            _("95%% interval %(low)s–%(high)s", low=pct(low), high=pct(high)))
        expect(first).to_contain_text(f"{a['rating']:.2f}")
        expect(first).to_contain_text(_("small sample"))
        expect(rows.nth(1).get_by_role("rowheader")).to_contain_text(name_b)
        expect(rows.nth(1)).to_contain_text(_("not enough answers"))
        expect(page.get_by_role("img", name=_(
            "Satisfaction rate per department with 95%% intervals; the numbers are in the "
            "table above.").replace("%%", "%"))).to_be_visible()
        journey.shoot("dashboard")

        # The departments table as CSV, read back.
        with page.expect_download() as info:
            page.get_by_role("link", name=_("Download this table (CSV)")).first.click()
        download = info.value
        assert download.suggested_filename == "evaluation-departments.csv"
        raw = download.path().read_bytes()
        assert raw.startswith("\ufeff".encode())  # spreadsheets then read the Chinese
        header, *lines = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert header[:4] == [_("Name"), _("Answers"), _("Small sample"), _("Satisfaction")]
        by_name = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
        assert set(by_name) == {name_a, name_b}
        row_a, row_b = by_name[name_a], by_name[name_b]
        assert int(row_a[_("Answers")]) == a["n"] and int(row_b[_("Answers")]) == b["n"]
        assert float(row_a[_("Satisfaction")]) == pytest.approx(a["satisfied"] / a["n"])
        assert float(row_a[_("Satisfaction low")]) == pytest.approx(low, abs=1e-4)
        assert float(row_a[_("Satisfaction high")]) == pytest.approx(high, abs=1e-4)
        assert float(row_a[_("Mean rating")]) == pytest.approx(a["rating"])
        assert float(row_a[_("Felt heard")]) == pytest.approx(a["heard"] / a["n"])
        assert row_a[_("Small sample")] == _("Yes")  # 是 in Chinese, never a raw yes
        assert row_b[_("Satisfaction")] == "" and row_b[_("Mean rating")] == ""

        # A department, its consultation, then the round's scores.
        table.get_by_role("link", name=name_a).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name_a)
        page.get_by_role("link", name=consultation_title).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(consultation_title)
        rounds = page.get_by_role("table", name=_("Rounds of this consultation"))
        scored = rounds.locator("tbody tr").filter(has_text=f"{a['satisfied']} / {a['n']}")
        expect(scored).to_have_count(1)
        journey.shoot("consultation")

        with page.expect_download() as info:
            page.get_by_role("link", name=_("Download this table (CSV)")).click()
        header, *lines = list(csv.reader(
            info.value.path().read_bytes().decode("utf-8-sig").splitlines()))
        scored_lines = [dict(zip(header, line, strict=True)) for line in lines if line[1] != "0"]
        assert [line[_("Name")].split()[0] for line in scored_lines] == [str(r1)]
        assert int(scored_lines[0][_("Answers")]) == a["n"]

        scored.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(_("Round scores"))
        scores = page.get_by_role("table", name=_("Scores of this round"))
        satisfaction = scores.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=_("Satisfaction"), exact=True))
        expect(satisfaction).to_contain_text(f"{a['satisfied']} / {a['n']}")
        expect(satisfaction).to_contain_text(
            _("95%% interval %(low)s–%(high)s", low=pct(low), high=pct(high)))
        heard = scores.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=_("Felt heard"), exact=True))
        expect(heard).to_contain_text(f"{a['heard']} / {a['n']}")
        expect(page.get_by_text(_("Small sample: fewer than 30 answers. Read the intervals, "
                                  "not only the scores."))).to_be_visible()
        assert page.url.endswith(f"/evaluation/rounds/{r1}")
        journey.shoot("round")
    finally:
        journey.close()
