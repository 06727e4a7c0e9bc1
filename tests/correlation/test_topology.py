"""The service dependency graph: loading, environments, reach, and errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from openconductor.core.errors import InvalidPayload
from openconductor.correlation.topology import load_topology, topology_from_document

SHOP_YAML = """\
services:
  - {name: web, environment: prod, layer: edge, team: shop}
  - {name: checkout, environment: prod}
  - {name: cart, environment: prod}
  - {name: postgres, environment: prod, layer: data}
  - {name: web, environment: staging}
  - {name: checkout, environment: staging}
  - {name: postgres, environment: staging}
dependencies:
  - {from: web, to: checkout}
  - {from: web, to: cart}
  - {from: checkout, to: postgres}
  - {from: cart, to: postgres}
"""


def shop() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SHOP_YAML)
    return document


def problems(document: Any) -> dict[str, str]:
    with pytest.raises(InvalidPayload) as caught:
        topology_from_document(document)
    return {problem.field: problem.expected for problem in caught.value.problems}


def test_yaml_and_json_files_load_the_same_graph(tmp_path: Path) -> None:
    yaml_path = tmp_path / "shop.yaml"
    yaml_path.write_text(SHOP_YAML)
    json_path = tmp_path / "shop.json"
    json_path.write_text(json.dumps(shop()))

    from_yaml, from_json = load_topology(yaml_path), load_topology(json_path)
    assert from_yaml.nodes == from_json.nodes
    assert from_yaml.callees == from_json.callees
    assert len(from_yaml) == 7
    assert from_yaml.nodes[("prod", "web")] == {"layer": "edge", "team": "shop"}


def test_a_dependency_without_environment_applies_in_each_environment_with_both_ends() -> None:
    topology = topology_from_document(shop())
    assert topology.callees[("prod", "web")] == {("prod", "checkout"), ("prod", "cart")}
    # Staging has no cart: only the calls whose ends both exist there.
    assert topology.callees[("staging", "web")] == {("staging", "checkout")}
    assert ("staging", "cart") not in topology.callers


def test_environments_stay_apart() -> None:
    topology = topology_from_document(shop())
    for environment in ("prod", "staging"):
        reached = topology.reach((environment, "web"), 4)
        assert reached and all(node[0] == environment for node in reached)


def test_a_dependency_may_cross_environments_when_it_names_both() -> None:
    document = shop()
    document["dependencies"].append(
        {"from": "checkout", "to": "postgres", "from_environment": "staging", "to_environment": "prod"}
    )
    topology = topology_from_document(document)
    assert ("prod", "postgres") in topology.reach(("staging", "checkout"), 1)
    assert ("staging", "web") not in topology.reach(("prod", "web"), 4)


def test_reach_follows_calls_down_and_up_with_hop_counts() -> None:
    topology = topology_from_document(shop())
    assert topology.reach(("prod", "web"), 1) == {("prod", "checkout"): 1, ("prod", "cart"): 1}
    assert topology.reach(("prod", "web"), 2) == {
        ("prod", "checkout"): 1,
        ("prod", "cart"): 1,
        ("prod", "postgres"): 2,
    }
    assert topology.reach(("prod", "postgres"), 2) == {
        ("prod", "checkout"): 1,
        ("prod", "cart"): 1,
        ("prod", "web"): 2,
    }
    assert topology.reach(("prod", "web"), 0) == {}


def test_siblings_sharing_a_dependency_do_not_reach_each_other() -> None:
    topology = topology_from_document(shop())
    # checkout and cart both call postgres and are both called by web: neither makes them related.
    for hops in (1, 2, 3, 4):
        assert ("prod", "cart") not in topology.reach(("prod", "checkout"), hops)
        assert ("prod", "checkout") not in topology.reach(("prod", "cart"), hops)


def test_names_are_matched_without_case() -> None:
    topology = topology_from_document(
        {
            "services": [{"name": "Web", "environment": "prod"}, {"name": "API", "environment": "prod"}],
            "dependencies": [{"from": "WEB", "to": "api"}],
        }
    )
    assert topology.knows("web") and topology.knows("api")
    assert topology.callees[("prod", "web")] == {("prod", "api")}


def test_resolve_picks_the_alerts_environment_or_the_default_one() -> None:
    topology = topology_from_document(shop())
    assert topology.resolve(["nope", "checkout"], "staging") == ("staging", "checkout")
    assert topology.resolve(["checkout"], None, default_environment="prod") == ("prod", "checkout")
    assert topology.resolve(["checkout"], None) is None  # two environments, none chosen
    assert topology.resolve(["cart"], None) == ("prod", "cart")  # only one exists
    assert topology.resolve(["cart"], "staging") is None


def test_to_document_round_trips() -> None:
    topology = topology_from_document(shop())
    again = topology_from_document(topology.to_document())
    assert again.nodes == topology.nodes
    assert again.callees == topology.callees


def test_every_bad_field_is_named_at_once() -> None:
    found = problems(
        {
            "services": [{"name": "web", "environment": "prod"}, {"environment": "prod"}, "db", {"name": ""}],
            "dependencies": [
                {"from": "web"},
                {"from": "web", "to": "payments", "environment": "prod"},
                {"from": "web", "to": "web", "from_environment": "prod", "to_environment": "dev"},
            ],
        }
    )
    assert set(found) == {
        "services[1].name",
        "services[2].name",
        "services[3].name",
        "dependencies[0]",
        "dependencies[1]",
        "dependencies[2]",
    }
    assert "'payments'" in found["dependencies[1]"]
    assert "'dev'" in found["dependencies[2]"]


@pytest.mark.parametrize(
    ("document", "field"),
    [([], "body"), ("services", "body"), ({"services": {}}, "services"), ({"dependencies": "a->b"}, "dependencies")],
)
def test_a_document_of_the_wrong_shape_is_refused_by_name(document: Any, field: str) -> None:
    assert field in problems(document)


def test_a_dependency_naming_an_unknown_service_in_every_environment_is_refused() -> None:
    assert "dependencies[0]" in problems(
        {"services": [{"name": "web", "environment": "prod"}], "dependencies": [{"from": "web", "to": "chekout"}]}
    )
