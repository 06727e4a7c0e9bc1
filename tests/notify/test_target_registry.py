"""The target registry: discovery, docs pages, and config errors that name every field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from openconductor.core.errors import InvalidPayload
from openconductor.notify.registry import TARGETS, get_target, parse_config

REPO = Path(__file__).resolve().parents[2]


def test_known_targets_are_registered() -> None:
    assert set(TARGETS) == {"email", "jira", "opsgenie", "pagerduty", "servicenow", "slack", "teams", "webhook"}
    assert get_target("webhook") is TARGETS["webhook"]
    assert get_target("carrier-pigeon") is None


@pytest.mark.parametrize("slug", sorted(TARGETS))
def test_every_target_has_a_docs_page_and_a_strict_config(slug: str) -> None:
    module = TARGETS[slug]
    assert module.INFO.slug == slug
    assert (REPO / module.INFO.docs).is_file()
    assert issubclass(module.Config, BaseModel)
    assert module.Config.model_config.get("extra") == "forbid"


def test_unknown_type_is_refused() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse_config("carrier-pigeon", {})
    assert caught.value.problems[0].field == "type"
    assert "webhook" in caught.value.problems[0].expected


def test_every_problem_is_reported_with_its_path_and_prefix() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse_config(
            "webhook",
            {"url": "nope", "headers": {"X-A": 5}, "colour": "red"},
            prefix="targets[1].config.",
        )
    fields = sorted(problem.field for problem in caught.value.problems)
    assert fields == ["targets[1].config.colour", "targets[1].config.headers.X-A", "targets[1].config.url"]
    assert "nope" not in str(caught.value)


def test_config_must_be_an_object() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse_config("webhook", ["https://host/x"])
    assert caught.value.problems[0].field == "config"


def test_a_problem_of_the_whole_config_is_named_by_the_prefix() -> None:
    raw = {"host": "smtp.example.com", "from": "oc@example.com", "to": ["a@example.com"], "username": "u"}
    with pytest.raises(InvalidPayload) as caught:
        parse_config("email", raw, prefix="targets[0].config.")
    assert [problem.field for problem in caught.value.problems] == ["targets[0].config.password"]
    raw = {"base_url": "https://example.atlassian.net", "project_key": "OPS", "email": "a@b.c"}
    with pytest.raises(InvalidPayload) as caught:
        parse_config("jira", raw, prefix="targets[3].config.")
    assert [problem.field for problem in caught.value.problems] == ["targets[3].config"]
