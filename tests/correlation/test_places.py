"""Places: the region or cluster an alert's labels name, and when two places are apart."""

from __future__ import annotations

from openconductor.correlation.places import apart, place_of


def test_a_region_label_is_read_before_a_cluster_and_case_is_ignored() -> None:
    assert place_of({"cluster": "prod-use1", "Region": "US-East-1"}) == ("region", "us-east-1")
    assert place_of({"cluster": "prod-use1"}) == ("cluster", "prod-use1")
    assert place_of({"location": "westeurope"}) == ("region", "westeurope")
    assert place_of({"host": "ip-10-0-0-1.eu-west-1.compute.internal"}) is None  # no guessing from names


def test_only_places_of_one_kind_can_be_apart() -> None:
    assert apart(("region", "eu-west-1"), ("region", "us-east-1"))
    assert not apart(("region", "eu-west-1"), ("region", "eu-west-1"))
    assert not apart(("region", "eu-west-1"), ("cluster", "prod-use1"))
    assert not apart(None, ("cluster", "prod-use1"))
