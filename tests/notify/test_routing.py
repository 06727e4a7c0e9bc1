"""Routing rules and the notifications file: which targets hear of an incident, and every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import Severity
from openconductor.notify.config import load_notifications, parse_notifications
from openconductor.notify.routing import IncidentFacts, common_labels, route

WEBHOOK = {"url": "https://hooks.example.com/T0/${HOOK_TOKEN}"}


def config_of(routes: list[dict], names: tuple[str, ...] = ("ops", "payments", "all")):  # type: ignore[no-untyped-def]
    targets = [{"name": name, "type": "webhook", "config": WEBHOOK} for name in names]
    return parse_notifications({"targets": targets, "routes": routes}, environ={"HOOK_TOKEN": "s3cret-token"})


def facts(
    *,
    environment: str | None = "prod",
    services: tuple[str, ...] = ("checkout",),
    severity: str = "high",
    **labels: str,
) -> IncidentFacts:
    return IncidentFacts(
        environment=environment, services=frozenset(services), severity=Severity(severity), labels=labels
    )


def test_first_matching_route_wins() -> None:
    config = config_of(
        [
            {"match": {"service": "payments"}, "targets": ["payments"]},
            {"match": {"environment": ["prod", "staging"]}, "targets": ["ops"]},
            {"targets": ["all"]},
        ]
    )
    assert route(config.routes, facts(services=("payments", "checkout"))) == ["payments"]
    assert route(config.routes, facts(environment="staging")) == ["ops"]
    assert route(config.routes, facts(environment="dev")) == ["all"]


def test_continue_tries_the_routes_after_and_names_each_target_once() -> None:
    config = config_of(
        [
            {"match": {"severity": "high"}, "targets": ["ops", "payments"], "continue": True},
            {"match": {"labels": {"team": "payments"}}, "targets": ["payments", "all"]},
            {"targets": ["ops"]},
        ]
    )
    assert route(config.routes, facts(severity="critical", team="payments")) == ["ops", "payments", "all"]
    # The severity is a minimum; below it the first route does not match and the last one decides.
    assert route(config.routes, facts(severity="warning")) == ["ops"]
    assert route(config.routes, facts(severity="warning", team="payments")) == ["payments", "all"]


def test_no_route_matches_no_target() -> None:
    config = config_of([{"match": {"environment": "prod", "labels": {"team": "db"}}, "targets": ["ops"]}])
    assert route(config.routes, facts(team="web")) == []
    assert route(config.routes, facts(environment=None, team="db")) == []
    assert route(config.routes, facts(team="db")) == ["ops"]


def test_common_labels_are_those_every_alert_carries() -> None:
    assert common_labels([{"team": "db", "host": "a"}, {"team": "db", "host": "b"}]) == {"team": "db"}
    assert common_labels([{"team": "db"}, {}]) == {}
    assert common_labels([]) == {}


def test_secrets_are_expanded_from_the_environment_and_known_for_redaction() -> None:
    config = config_of([{"targets": ["ops"]}], names=("ops",))
    url = config.targets["ops"].config.url.get_secret_value()  # type: ignore[attr-defined]
    assert url == "https://hooks.example.com/T0/s3cret-token"
    assert config.redact(f"failed posting to {url}") == "failed posting to ***"
    assert config.routes_using("ops") == [0]


def test_every_problem_is_reported_with_its_location() -> None:
    document = {
        "targets": [
            {"name": "ops", "type": "webhook", "config": {"url": "https://x.example.com/${MISSING_TOKEN}"}},
            {"name": "ops", "type": "carrier-pigeon"},
            {"name": "bad", "type": "webhook", "config": {"url": "ftp://nope", "colour": "red"}},
        ],
        "routes": [
            {"targets": ["ops"]},
            {"match": {"severity": "apocalyptic"}, "targets": ["ops"]},
            {"targets": ["ops", "nobody"]},
        ],
    }
    with pytest.raises(InvalidPayload) as caught:
        parse_notifications(document, environ={})
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["routes[1].match.severity"]  # the shape is checked first, and stops there
    del document["routes"][1]
    with pytest.raises(InvalidPayload) as caught:
        parse_notifications(document, environ={})
    problems = {problem.field: problem.expected for problem in caught.value.problems}
    assert problems["targets[0].config.url"] == "environment variable MISSING_TOKEN to be set"
    assert "webhook" in problems["targets[1].type"]
    assert "no other target" in problems["targets[1].name"]
    assert set(problems) >= {"targets[2].config.url", "targets[2].config.colour"}
    assert problems["routes[1].targets[1]"] == "one of ops, ops, bad"
    assert "nope" not in str(caught.value)


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse_notifications({"targets": [], "routes": [{"targets": ["x"], "matches": {}}], "extra": 1}, environ={})
    fields = sorted(problem.field for problem in caught.value.problems)
    assert fields == ["extra", "routes[0].matches"]


def test_the_file_is_loaded_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "notifications.yaml"
    path.write_text(
        "targets:\n  - name: ops\n    type: webhook\n    config: {url: 'https://h.example.com/${HOOK_TOKEN}'}\n"
        "routes:\n  - match: {environment: prod, severity: warning}\n    targets: [ops]\n"
    )
    config = load_notifications(path, environ={"HOOK_TOKEN": "abcd1234"})
    assert config.enabled
    assert route(config.routes, facts(severity="info")) == []
    assert load_notifications(None, environ={}).enabled is False
    path.write_text("targets: [\n")
    with pytest.raises(InvalidPayload) as caught:
        load_notifications(path, environ={})
    assert caught.value.problems[0].expected == "valid YAML"
    with pytest.raises(InvalidPayload):
        load_notifications(tmp_path / "missing.yaml", environ={})
