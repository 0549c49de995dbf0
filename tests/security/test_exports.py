"""No export hands a spreadsheet a formula (issue 17, class 3).

Every text a user or an official can write that ends up in an export (comment,
question and answer bodies, triage reasons, names of users and departments,
consultation and round titles) is set to a formula payload, in plain, whitespace-
prefixed, invisible-prefixed and full-width forms. Then every ``.csv`` route of
``url_map`` is downloaded and every cell checked; a route nobody walks fails the test.
"""

from __future__ import annotations

import csv
import io
import unicodedata

from sqlalchemy import update

from consult import audit
from consult.accounts.models import Department, User
from consult.consultations.models import Consultation
from consult.db import atomic
from consult.extensions import db
from consult.participation.models import Answer, Comment, Question
from consult.responses.models import Triage
from consult.rounds.models import Round
from consult.security.exports import neutralise
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory, UserFactory

MARK = "X17"
PAYLOADS = ["=1+1", "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", " =1", "\u3000＝1",
            '＝HYPERLINK("x")', "＋cmd", "\u200b=1", "\u00a0-1", "|calc", "％1", "－1"]


def payload(i: int) -> str:
    return f"{PAYLOADS[i % len(PAYLOADS)]} {MARK}{i}"


def _runs_as_formula(cell: str) -> bool:
    """What a spreadsheet does with the cell: skip blanks and invisibles, fold widths."""
    if cell.startswith("'"):
        return False
    for ch in cell:
        if ch in "\t\r\n":
            return True
        if ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Mn"):
            continue
        return unicodedata.normalize("NFKC", ch)[:1] in "=+-@|%"
    return False


def _fill(world) -> None:
    """Every exported text column holds a payload."""
    r1, ca = world["r1"], world["ca"]
    author = UserFactory()
    comment = CommentFactory(round_id=r1.id, author_id=author.id, body="意见")
    question = QuestionFactory(round_id=r1.id, author_id=author.id,
                               department_id=ca.department_id, body="问")
    AnswerFactory(question=question, author_id=author.id, body="答")
    db.session.add(Triage(round_id=r1.id, comment_id=comment.id, status="adopted",
                          reason="理由"))
    db.session.flush()
    n = 0
    for model, column in [(Comment, "body"), (Question, "body"), (Answer, "body"),
                          (Triage, "reason"), (Department, "name"), (Department, "name_en"),
                          (Consultation, "title"), (Round, "title"), (User, "display_name")]:
        for row_id in db.session.scalars(db.select(model.id)).all():
            db.session.execute(update(model).where(model.id == row_id)
                               .values({column: payload(n)}))
            n += 1
    with atomic():
        audit.record(db.session.get(User, author.id), "user.profile_updated",
                     db.session.get(User, author.id), note=payload(n))
    db.session.commit()


def _urls(app, world) -> dict[str, list[str]]:
    ca, dept = world["ca"], world["dept_a"]
    by_endpoint: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.endswith(".csv"):
            continue
        if "table" in rule.arguments:
            urls = [rule.build({"table": t})[1] + q for t, q in [
                ("departments", ""), ("months", ""),
                ("consultations", f"?department={dept.id}"),
                ("rounds", f"?consultation={ca.id}")]]
        else:
            urls = [rule.build({k: ca.id for k in rule.arguments})[1]]
        by_endpoint[rule.endpoint] = urls
    return by_endpoint


def test_every_export_neutralises_every_text_cell(app, client, login_as, capsys):
    from tests.factories import scores_world

    world = scores_world()
    _fill(world)
    login_as(UserFactory(role="admin"))
    exports = columns = cells = carried = 0
    problems = []
    for endpoint, urls in sorted(_urls(app, world).items()):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
            exports += 1
            columns += len(rows[0])
            with_payload = 0
            for row in rows[1:]:
                for cell in row:
                    cells += 1
                    with_payload += MARK in cell
                    if _runs_as_formula(cell):
                        problems.append(f"{endpoint} {url}: {cell!r}")
            carried += with_payload
            if "months" not in url:  # the month table has no text column
                assert with_payload, f"{url} carried no payload: the walk proves nothing"
    with capsys.disabled():
        print(f"\nexport walk: {exports} exports x {columns} columns, {cells} cells "
              f"({carried} with payloads), {len(problems)} formula cells")
    assert not problems, "\n".join(problems)


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise(None) == ""
    assert neutralise("路灯太暗") == "路灯太暗"
    assert neutralise("a=b") == "a=b"
    for p in PAYLOADS:
        assert neutralise(p) == "'" + p
