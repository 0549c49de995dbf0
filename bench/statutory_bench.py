"""Time the statutory documents (figures to read, not a timed test).

    python bench/statutory_bench.py [--opinions 5000] [--clauses 300] [--json out.json]

Builds, in a temporary SQLite database, a closed round on a draft of N clauses with M
opinions (each a distinct text, spread over the clauses, every one triaged with a reason),
then times what the download routes do, from the database to the file: the adoption
statement (意见采纳情况说明) and the draft, as Word and as PDF, each twice (the first PDF of
a process also finds and loads the system fonts). Needs the test dependencies
(``pip install -e '.[test]'``: the factories build the round).

Wall time is printed beside CPU time (the bench's and the typesetting child process's):
on a shared machine the wall time also counts the time spent waiting for a core, the CPU
time does not. The bench process's peak RSS shows what generating leaves in the app's
process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHARS = ("社区养老服务机构应当为老年人提供日间照料助餐助浴助洁健康管理等服务区人民政府按照每百户"
         "不少于三十平方米的标准配建用房收费标准报民政部门备案并在场所显著位置公示接受社会监督")
STATUSES = ["adopted", "partly_adopted", "not_adopted", "out_of_scope"]


def text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CHARS) for _ in range(n))


def build(opinions: int, clauses: int, rng: random.Random) -> tuple[int, int, int]:
    """The round (closed, triaged), its consultation and an official: ids."""
    from sqlalchemy import insert, select, update

    from consult.consultations.models import Clause
    from consult.db import atomic, db
    from consult.participation.models import Comment, ContentStatus
    from consult.responses import services as responses
    from consult.responses.models import Triage
    from consult.rounds.services import get_round
    from tests.factories import (
        ConsultationFactory,
        DepartmentFactory,
        RoundFactory,
        UserFactory,
    )

    dept = DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    round_ = RoundFactory(closed=True, version__consultation=consultation,
                          version__clauses=[text(rng, 150) + "\n" + text(rng, 100)
                                            for _ in range(clauses)])
    official = UserFactory(role="official", role__department=dept)
    authors = [UserFactory().id for _ in range(200)]
    clause_ids = list(db.session.scalars(select(Clause.id).where(
        Clause.version_id == round_.version_id)))
    db.session.execute(insert(Comment), [
        {"round_id": round_.id, "author_id": rng.choice(authors), "depth": 0,
         "clause_id": rng.choice(clause_ids) if i % 10 else None, "body": text(rng, 80),
         "status": ContentStatus.PUBLISHED, "support_count": 0}
        for i in range(opinions)])
    db.session.execute(update(Comment).where(Comment.round_id == round_.id)
                       .values(thread_id=Comment.id))
    db.session.commit()
    with atomic():
        responses.start_triage(get_round(official, round_.id))
    ids = list(db.session.scalars(select(Triage.id).where(Triage.round_id == round_.id)))
    db.session.execute(update(Triage), [
        {"id": i, "status": rng.choice(STATUSES), "reason": text(rng, 30)} for i in ids])
    db.session.commit()
    return round_.id, consultation.id, official.id


def change_one_reason(round_id: int) -> None:
    from sqlalchemy import func, select, update

    from consult.db import db
    from consult.responses.models import Triage

    first = db.session.scalar(select(func.min(Triage.id)).where(Triage.round_id == round_id))
    db.session.execute(update(Triage).where(Triage.id == first).values(reason="理由已修改"))
    db.session.commit()


def cpu_seconds() -> float:
    """This process's CPU time and its finished children's (the PDF is typeset in one)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(label: str, make) -> dict:
    wall, cpu = time.perf_counter(), cpu_seconds()
    data = make()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    took = {"figure": label, "wall_s": round(time.perf_counter() - wall, 2),
            "cpu_s": round(cpu_seconds() - cpu, 2), "mb": round(len(data) / 1e6, 1),
            "peak_rss_mb": round(rss)}
    print(f"{label:52} {took['wall_s']:6.2f} s wall {took['cpu_s']:6.2f} s CPU "
          f"{took['mb']:5.1f} MB  (bench process peak RSS {rss:.0f} MB)")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opinions", type=int, default=5000)
    parser.add_argument("--clauses", type=int, default=300)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    from consult.accounts.models import User
    from consult.app import create_app
    from consult.consultations import services as consultations
    from consult.db import db
    from consult.rounds.services import get_round
    from consult.statutory import documents, pdf, word
    from consult.statutory.record import get_record

    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "PAGE_CACHE": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            round_id, consultation_id, official_id = build(args.opinions, args.clauses, rng)
            print(f"built the round in {time.perf_counter() - started:.1f} s")
        figures = []
        with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
            official = db.session.get(User, official_id)

            def statement():
                db.session.expire_all()
                return documents.statement(get_record(official, get_round(official, round_id)))

            def draft():
                db.session.expire_all()
                consultation = consultations.get_public_consultation(official,
                                                                     consultation_id)
                version = consultations.get_version(consultation, 1)
                return documents.draft(consultation, version,
                                       consultations.version_clauses(version))

            n, c = args.opinions, args.clauses
            figures.append(timed(f"draft, {c} clauses, PDF (first of the process)",
                                 lambda: pdf.to_pdf(draft())))
            figures.append(timed(f"draft, {c} clauses, Word", lambda: word.to_docx(draft())))
            figures.append(timed(f"statement, {n} opinions, database to blocks only",
                                 lambda: json.dumps(statement().data()).encode()))
            figures.append(timed(f"statement, {n} opinions, Word",
                                 lambda: word.to_docx(statement())))
            figures.append(timed(f"statement, {n} opinions, PDF",
                                 lambda: pdf.to_pdf(statement())))
            # The engine remembers the layout of what it has seen: a statement whose
            # triage changed is laid out again (one reason edited here).
            change_one_reason(round_id)
            figures.append(timed(f"statement, {n} opinions, PDF (after a triage change)",
                                 lambda: pdf.to_pdf(statement())))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "when": datetime.now(UTC).isoformat(timespec="minutes"),
            "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
            "load_average": os.getloadavg(), "figures": figures}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
