"""Every factory of ``tests.factories`` makes, with its defaults alone, a row the schema
accepts (the tests override only what they are about)."""

from __future__ import annotations

import factory as factory_boy
import pytest

import tests.factories as factories
from consult.extensions import db

FACTORIES = sorted(name for name in factories.__all__ if name.endswith("Factory")
                    and issubclass(getattr(factories, name), factory_boy.Factory))


@pytest.mark.parametrize("name", FACTORIES)
def test_a_factory_makes_a_valid_row_with_its_defaults(app, name):
    made = getattr(factories, name)()
    db.session.expire_all()
    mapper = db.inspect(type(made))
    key = mapper.primary_key_from_instance(made)
    assert db.session.get(type(made), tuple(key)) is not None
