"""Policies per environment or component, and how much the book remembers of them."""

from __future__ import annotations

from openconductor.config.settings import EngineSettings, Policy, PolicyMatch
from openconductor.correlation import policy as policy_module
from openconductor.correlation.policy import PolicyBook


def test_a_matching_policy_applies_and_the_rest_get_the_defaults() -> None:
    settings = EngineSettings(policies=[Policy(match=PolicyMatch(environment="dev"), join_threshold=0.9)])
    book = PolicyBook(settings)
    assert book.for_component(("dev", "api")).join_threshold == 0.9
    assert book.for_component(("prod", "api")) is book.default


def test_the_book_remembers_a_bounded_number_of_components(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(policy_module, "_CACHE_LIMIT", 10)
    settings = EngineSettings(policies=[Policy(match=PolicyMatch(component="db-*"), min_alerts_to_raise=3)])
    book = PolicyBook(settings)
    for number in range(25):  # alerts that name no component are each one of their own
        assert book.for_component(("prod", f"db-{number}")).min_alerts == 3
    assert len(book._cache) <= 10
    # Without any policy nothing is remembered at all.
    plain = PolicyBook(EngineSettings())
    plain.for_component(("prod", "api"))
    assert plain._cache == {}
