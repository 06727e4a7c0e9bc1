"""Label pairs and their rarity: what the label-similarity evidence reads and how it weighs it."""

from __future__ import annotations

from openconductor.correlation.labels import MAX_PAIRS, WARM_UP_ONSETS, LabelRarity, label_pairs


def test_only_labels_that_say_what_is_failing_are_read() -> None:
    labels = {
        "alertname": "KubePodCrashLooping",
        "severity": "critical",
        "env": "prod",
        "cluster": "prod-use1",
        "Region": "us-east-1",
        "job": "kube-state-metrics",
        "mountpoint": "/",
        "Node": "ip-10-1-2-3",
        "deployment": "checkout-v2",
        "empty": "",
    }
    assert label_pairs(labels) == (("deployment", "checkout-v2"), ("node", "ip-10-1-2-3"))


def test_a_rarer_pair_weighs_more_and_a_pair_on_every_onset_weighs_nothing() -> None:
    rarity = LabelRarity()
    for n in range(1000):
        rarity.observe((("team", "core"), ("node", f"n{n % 10}"), ("pod", f"p{n}")))
    assert rarity.weight(("team", "core")) == 0.0
    assert rarity.weight(("pod", "p7")) > rarity.weight(("node", "n7")) > rarity.weight(("team", "core"))
    assert rarity.weight(("pod", "never-seen")) > rarity.weight(("pod", "p7"))


def test_no_pair_finds_candidates_before_the_warm_up() -> None:
    rarity = LabelRarity()
    for _ in range(WARM_UP_ONSETS - 1):
        rarity.observe((("node", "n1"),))
    assert not rarity.candidate(("node", "n2"))
    rarity.observe((("node", "n1"),))
    assert rarity.candidate(("node", "n2"))


def test_the_table_of_counts_stays_bounded_and_survives_a_restart() -> None:
    rarity = LabelRarity()
    for n in range(MAX_PAIRS + 10):
        rarity.observe((("pod", f"p{n}"), ("node", "n1")))
    assert len(rarity.counts) <= MAX_PAIRS
    restored = LabelRarity.from_document(rarity.to_document())
    assert restored.total == rarity.total
    assert restored.weight(("node", "n1")) == rarity.weight(("node", "n1"))
