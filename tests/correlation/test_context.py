"""The incident index: every incident is found under each of its components while it is listed, and only then."""

from __future__ import annotations

from datetime import UTC, datetime

from openconductor.correlation.context import AlertFacts, IncidentIndex

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def facts(component: str) -> AlertFacts:
    return AlertFacts(entity=("prod", component), template=("prod", "t1"), chronic=False, onset=T0)


def test_a_component_lists_each_of_its_incidents_once_until_they_are_unlisted_or_forgotten() -> None:
    index = IncidentIndex()
    index.add("inc-a", "alr-1", facts("db"))
    index.add("inc-a", "alr-2", facts("db"))
    index.add("inc-b", "alr-3", facts("db"))
    index.add("inc-b", "alr-4", facts("web"))
    assert index.by_component == {("prod", "db"): ("inc-a", "inc-b"), ("prod", "web"): ("inc-b",)}

    index.unlist("inc-a")
    assert index.by_component == {("prod", "db"): ("inc-b",), ("prod", "web"): ("inc-b",)}
    index.relist("inc-a")
    index.relist("inc-a")
    assert index.by_component == {("prod", "db"): ("inc-b", "inc-a"), ("prod", "web"): ("inc-b",)}

    index.forget("inc-b")
    assert index.by_component == {("prod", "db"): ("inc-a",)}
    assert index.by_template == {("prod", "t1"): {"inc-a"}}
    index.forget("inc-a")
    assert index.by_component == {} and index.by_template == {}
