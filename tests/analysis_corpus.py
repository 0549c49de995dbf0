"""Loads tests/data/opinions_zh_en.json into plain data (for the algorithm tests) or into
the database of a round (for the job and page tests)."""

from __future__ import annotations

import json
import os

from sqlalchemy import insert

from consult.db import db

PATH = os.path.join(os.path.dirname(__file__), "data", "opinions_zh_en.json")


def corpus() -> dict:
    with open(PATH, encoding="utf-8") as f:
        return json.load(f)


def plain(data: dict) -> tuple[list[dict], list, list, dict]:
    """Opinions (ids 1..n in corpus order), supports and stances with integer user ids,
    and the corpus key of each opinion id."""
    from consult.analysis import text
    opinions, key_of, id_of = [], {}, {}
    for n, o in enumerate(data["opinions"], start=1):
        opinions.append({"id": n, "kind": o["kind"], "body": o["body"],
                         "author_id": o["author"], "clause_id": o["clause"],
                         "support_count": 0, "tokens": text.tokens(o["body"])})
        key_of[f'{o["kind"]}:{n}'] = o["key"]
        id_of[o["key"]] = n
    users: dict[str, int] = {}
    supports = [(users.setdefault(s["user"], len(users) + 1), id_of[s["opinion"]])
                for s in data["supports"]]
    stances = [(users.setdefault(b["user"], len(users) + 1), b["stance"])
               for b in data["ballots"]]
    for o in opinions:
        o["support_count"] = sum(1 for _, c in supports if c == o["id"])
    return opinions, supports, stances, {"key_of": key_of, "users": users, "id_of": id_of}


def load_into(round_, clauses) -> dict[str, int]:
    """Write the corpus as comments, questions, supports and ballots of ``round_``.
    Returns the database id of each corpus opinion key (comments and questions)."""
    from consult.accounts.models import User
    from consult.participation.models import Comment, CommentSupport, Question
    from consult.voting.models import Ballot, Stance
    from tests.factories import PASSWORD_HASH

    data = corpus()
    names = sorted({o["author"] for o in data["opinions"]}
                   | {s["user"] for s in data["supports"]} | {b["user"] for b in data["ballots"]})
    user_id = {}
    for name in names:
        u = User(email=f"{name}@corpus.example.org", display_name=name,
                 password_hash=PASSWORD_HASH)
        db.session.add(u)
        db.session.flush()
        user_id[name] = u.id
    ids: dict[str, int] = {}
    support_count: dict[str, int] = {}
    for s in data["supports"]:
        support_count[s["opinion"]] = support_count.get(s["opinion"], 0) + 1
    dept_id = round_.consultation.department_id
    for o in data["opinions"]:
        if o["kind"] == "comment":
            clause = clauses[o["clause"] - 1] if o["clause"] else None
            row = Comment(round_id=round_.id, author_id=user_id[o["author"]], body=o["body"],
                          clause_id=clause.id if clause else None, depth=0,
                          support_count=support_count.get(o["key"], 0))
        else:
            row = Question(round_id=round_.id, author_id=user_id[o["author"]], body=o["body"],
                           department_id=dept_id,
                           support_count=support_count.get(o["key"], 0))
        db.session.add(row)
        db.session.flush()
        ids[o["key"]] = row.id
    db.session.execute(insert(CommentSupport), [
        {"comment_id": ids[s["opinion"]], "user_id": user_id[s["user"]]}
        for s in data["supports"]])
    for b in data["ballots"]:
        db.session.add(Ballot(round_id=round_.id, user_id=user_id[b["user"]],
                              stance=Stance(b["stance"])))
    db.session.commit()
    return ids
