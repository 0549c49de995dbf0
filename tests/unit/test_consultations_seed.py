"""The consultations demo seed: one demo draft has chapters and sections, kept (and
changed for one clause) in its second version."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts import seed as accounts_seed
from consult.consultations import seed as consultations_seed
from consult.consultations.diff import diff_versions
from consult.consultations.models import Clause, Consultation, DraftVersion
from consult.consultations.structure import outline
from consult.db import atomic
from consult.extensions import db


def test_a_demo_draft_has_chapters_and_sections(app):
    accounts_seed.seed()
    with atomic():
        consultations_seed.seed()
    c = db.session.scalar(select(Consultation).where(
        Consultation.title == consultations_seed.DRAFTS[0].title))
    clauses = {n: list(db.session.scalars(
        select(Clause).join(DraftVersion).where(DraftVersion.consultation_id == c.id,
                                                DraftVersion.number == n)
        .order_by(Clause.position))) for n in (1, 2)}
    first = outline(clauses[1])
    assert [ch.title for ch in first] == ["第一章 总则", "第二章 设施建设", "第三章 服务提供",
                                          "第四章 监督管理", "第五章 附则"]
    assert [s.title for s in first[2].sections] == ["第一节 服务内容", "第二节 服务规范"]
    # version 2 keeps its chapters in order (no chapter split by a moved clause) and the
    # diff names the clause that changed chapter
    titles = [ch.title for ch in outline(clauses[2])]
    assert titles == ["第一章 总则", "第二章 设施建设", "第三章 服务提供", "第四章 监督管理",
                      "第五章 附则"]
    diff = diff_versions(clauses[1], clauses[2])
    assert [r.new.heading for r in diff.rows if r.regrouped] == ["信息平台"]
    # the other demo drafts have none
    with_chapters = set(db.session.scalars(
        select(DraftVersion.consultation_id).join(Clause).where(Clause.chapter != "")))
    assert with_chapters == {c.id}
