"""URL rules compile their builders on first use (consult.app.LazyBuilderRule): every URL
the app builds is the one werkzeug's own rules build."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from consult.app import BoundedIntConverter, LazyBuilderRule


def eager_twin(rule: Rule) -> Map:
    twin = Map([Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods,
                     defaults=rule.defaults, subdomain=rule.subdomain,
                     strict_slashes=rule.strict_slashes, merge_slashes=rule.merge_slashes,
                     host=rule.host)])
    twin.converters["int"] = BoundedIntConverter
    return twin


def sample_values(rule: Rule) -> dict:
    return {name: 7 if type(conv).__name__ in ("BoundedIntConverter", "IntegerConverter")
            else "a b/ü" if type(conv).__name__ == "PathConverter" else "abc"
            for name, conv in rule._converters.items()}


def test_every_rule_of_the_app_is_lazy_and_builds_what_werkzeug_builds(app):
    rules = list(app.url_map.iter_rules())
    # Flask adds /static/ itself, before create_app can choose the rule class.
    assert rules and all(isinstance(rule, LazyBuilderRule) for rule in rules
                         if rule.endpoint != "static")
    for rule in rules:
        values = sample_values(rule)
        twin = eager_twin(rule).bind("example.org")
        for extra in ({}, {"page": 2, "q": "x y"}):
            want = twin.build(rule.endpoint, {**values, **extra}, append_unknown=True)
            got = app.url_map.bind("example.org").build(rule.endpoint, {**values, **extra})
            assert got == want, rule.rule


def test_a_builder_is_compiled_once_then_replaces_itself(app):
    rule = next(r for r in app.url_map.iter_rules()
                if isinstance(r, LazyBuilderRule) and r._converters)
    adapter = app.url_map.bind("example.org")
    stub = rule._build_unknown
    first = adapter.build(rule.endpoint, {**sample_values(rule), "extra": "1"})
    assert rule._build_unknown is not stub  # the compiled builder took the stub's place
    compiled = rule._build_unknown
    assert adapter.build(rule.endpoint, {**sample_values(rule), "extra": "1"}) == first
    assert rule._build_unknown is compiled
