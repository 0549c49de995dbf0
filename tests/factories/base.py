"""The base of every factory: each commits, since the test client uses its own session."""

from __future__ import annotations

from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from consult.extensions import db

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; hash once for every factory-made user.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt:2048:8:1")  # as TestConfig


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        # Each commit expires every object, and the session's identity map holds objects
        # only weakly. A sub-object nobody references any more (the consultation made for
        # ``RoundFactory(version__consultation__department=...)``) could then be garbage
        # collected, and reading ``round.version.consultation`` (lazy="raise_on_sql") would
        # need SQL and raise, or not, depending on when the collector ran. Keeping every
        # factory-made object referenced for the session's life (the test's; conftest
        # removes the session at teardown) makes those reads identity-map hits, always.
        db.session.info.setdefault("factory_made", []).append(obj)
        return obj
