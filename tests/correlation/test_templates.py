"""Unit tests for the alert template miner: masking, grouping, determinism, persistence, bounded memory."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openconductor.correlation.templates import WILDCARD, MinerConfig, TemplateMiner, mask_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("High latency on api-7f9c", "High latency on api-<*>"),
        ("Pod checkout-7f9c6d-x2k4p restarted", "Pod checkout-<*> restarted"),
        ("Pod checkout-bcdfgh-kcrnq restarted", "Pod checkout-<*> restarted"),
        ("peer 10.0.12.7:8443 refused", "peer <*> refused"),
        ("request 123e4567-e89b-12d3-a456-426614174000 failed", "request <*> failed"),
        ("cannot open /var/lib/data/db.sqlite", "cannot open <*>"),
        ("took 250ms, retry in 1.5s", "took <*>, retry in <*>"),
        ("address 0xdeadbeef", "address <*>"),
        ("user='alice' denied", "user='<*>' denied"),
        ("queue=orders size=12", "queue=<*> size=<*>"),
        ("see https://status.example.com/incidents/1", "see <*>"),
        ("error rate 5.2% over 3 checks", "error rate <*>% over <*> checks"),
    ],
)
def test_masking_replaces_obvious_variables(text: str, expected: str) -> None:
    assert " ".join(mask_text(text).tokens) == expected


def test_masking_keeps_plain_words() -> None:
    assert mask_text("Database connection pool exhausted").tokens == (
        "Database", "connection", "pool", "exhausted",
    )  # fmt: skip


def test_same_kind_titles_share_an_id() -> None:
    miner = TemplateMiner()
    first = miner.learn("High latency on api-7f9c")
    second = miner.learn("High latency on api-2b1d")
    assert first.template_id == second.template_id
    assert second.template == "High latency on api-<*>"
    assert second.parameters == ["2b1d"]


def test_different_kinds_get_different_ids() -> None:
    miner = TemplateMiner()
    latency = miner.learn("High latency on api-7f9c")
    disk = miner.learn("Disk almost full on db-3")
    restart = miner.learn("Pod checkout-7f9c6d-x2k4p restarted 3 times")
    assert len({latency.template_id, disk.template_id, restart.template_id}) == 3


def test_a_word_with_few_values_names_a_kind_until_it_keeps_changing() -> None:
    miner = TemplateMiner()
    started = miner.learn("Service payments started on node 1")
    stopped = miner.learn("Service payments stopped on node 2")
    assert started.template_id != stopped.template_id
    users = [miner.learn(f"Login failed for user {name} from 10.0.0.{i}") for i, name in enumerate("abcdef")]
    assert len({match.template_id for match in users[3:]}) == 1
    assert miner.resolve_id(users[0].template_id) == miner.resolve_id(users[-1].template_id)


def test_id_is_kept_when_the_template_generalises() -> None:
    miner = TemplateMiner()
    first = miner.learn("Backup of volume alpha finished")
    for name in ("beta", "gamma", "delta", "epsilon"):
        miner.learn(f"Backup of volume {name} finished")
    latest = miner.learn("Backup of volume zeta finished")
    assert latest.template == f"Backup of volume {WILDCARD} finished"
    assert miner.resolve_id(first.template_id) == latest.template_id


def test_match_does_not_learn() -> None:
    miner = TemplateMiner()
    assert miner.match("High latency on api-7f9c") is None
    learned = miner.learn("High latency on api-7f9c")
    state = miner.to_dict()
    found = miner.match("High latency on api-0000")
    assert found is not None
    assert found.template_id == learned.template_id
    assert miner.to_dict() == state


def _stream() -> list[str]:
    return [
        f"{kind} on {host}-{index:04x}"
        for index in range(60)
        for kind, host in (("High latency", "api"), ("Disk full", "db"), ("OOM killed", "worker"))
    ] + [f"user u{index} logged in from 10.1.0.{index}" for index in range(20)]


def test_learning_is_deterministic() -> None:
    first, second = TemplateMiner(), TemplateMiner()
    assert [first.learn(text) for text in _stream()] == [second.learn(text) for text in _stream()]
    assert first.to_dict() == second.to_dict()


def test_round_trip_keeps_ids_and_matching() -> None:
    miner = TemplateMiner()
    for text in _stream():
        miner.learn(text)
    restored = TemplateMiner.from_dict(orjson.loads(orjson.dumps(miner.to_dict())))
    assert restored.to_dict() == miner.to_dict()
    assert restored.templates() == miner.templates()
    for text in ("High latency on api-ffff", "OOM killed on worker-0001", "user u99 logged in from 10.9.9.9"):
        assert restored.match(text) == miner.match(text)
        assert restored.learn(text) == miner.learn(text)


def test_from_dict_rejects_an_unknown_version() -> None:
    state = TemplateMiner().to_dict()
    state["version"] = 999
    with pytest.raises(ValueError, match="version"):
        TemplateMiner.from_dict(state)


def test_memory_is_bounded_with_least_recently_used_eviction() -> None:
    miner = TemplateMiner(MinerConfig(max_templates_per_leaf=4, max_templates=10))
    kept = miner.learn("Heartbeat missing from collector")
    for index in range(200):
        miner.learn(" ".join(f"w{chr(97 + (index + offset) % 26)}{index}x" for offset in range(3)) + " alpha")
        miner.learn(f"Unique{chr(97 + index % 26)}{chr(97 + index // 26)} event kind happened")
        miner.learn("Heartbeat missing from collector")
        assert len(miner) <= 10
    assert miner.match("Heartbeat missing from collector").template_id == kept.template_id  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    miner = TemplateMiner()
    learned = miner.learn(text)
    assert miner.match(text) is not None
    assert isinstance(learned.template_id, str)
    assert all(isinstance(parameter, str) for parameter in learned.parameters)
    TemplateMiner.from_dict(orjson.loads(orjson.dumps(miner.to_dict())))


class _NothingSettled(dict):  # type: ignore[type-arg]
    """A memory of settled messages that never remembers: every message is searched for."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


@pytest.mark.parametrize("config", [MinerConfig(), MinerConfig(max_templates_per_leaf=3, max_templates=8)])
def test_settled_messages_learn_exactly_as_a_full_search_does(config: MinerConfig) -> None:
    """Skipping the search for a message that joined its template unchanged before, while the
    templates beside it stay as they were, changes nothing: not the ids, sizes, recency, nor what
    later messages join (words that become variables, merges and evictions in between)."""
    import random

    rng = random.Random(11)
    words = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "alice", "bob", "carol", "dave", "eve"]
    texts = [
        f"{verb} {rng.choice(['/api', 'queue=orders', 'host'])} {user} {rng.choice(['ok', 'failed', f'in {rng.randint(1, 9)}s'])}"
        for _ in range(400)
        for verb, user in [(rng.choice(words[:6]), rng.choice(words[6:]))]
    ]
    searching = TemplateMiner(config)
    searching._settled = _NothingSettled()
    settling = TemplateMiner(config)
    for _ in range(3):
        for text in rng.sample(texts, len(texts)):
            assert settling.learn(text) == searching.learn(text)
    assert settling.to_dict() == searching.to_dict()
    assert len(settling._settled) > 0
