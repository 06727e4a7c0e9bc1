"""The short cuts on the stored replay's path decide exactly what the long way decided: the storability
check (fast walk, and replay's look at the raw line) and the id encoding."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import orjson
import pytest

from openconductor.core import ids
from openconductor.core.errors import InvalidPayload
from openconductor.ingest.base import MAX_NESTING, _name_unstorable, reject_unstorable
from openconductor.replay import _may_be_unstorable, parse_record


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


def random_document(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(["plain", "with\x00nul", "", 1, 2.5, True, None, "ünï"])
    if roll < 0.7:
        return [random_document(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["a", "b", "k\x00ey", "c"]): random_document(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def outcome(check: Any, payload: Any) -> str | None:
    try:
        check(payload)
    except InvalidPayload as error:
        return str(error)
    return None


@pytest.mark.parametrize("seed", range(5))
def test_fast_walk_refuses_what_the_naming_walk_refuses_with_the_same_message(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        document = random_document(rng)
        assert outcome(reject_unstorable, document) == outcome(_name_unstorable, document)


@pytest.mark.parametrize("depth", [MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 3 * MAX_NESTING])
def test_nesting_limit_is_the_same(depth: int) -> None:
    assert outcome(reject_unstorable, nested(depth)) == outcome(_name_unstorable, nested(depth))


def test_other_types_are_left_to_the_naming_walk() -> None:
    reject_unstorable({1: "integer key", "tuple": ("a", "b")})  # nothing wrong: no refusal
    with pytest.raises(InvalidPayload, match="NUL"):
        reject_unstorable({"tuple": ("a",), "b": "x\x00"})


@pytest.mark.parametrize(
    "document",
    [
        {"title": "t", "labels": {"a": "b\x00"}},
        {"title": "t", "k\x00": 1},
        {"title": "t", "raw": nested(MAX_NESTING + 1)},
        {"title": "t", "raw": nested(MAX_NESTING - 2)},
        {"title": "t", "description": "brackets [[[{{{ in text" * 30},
        {"title": "t", "description": "an escaped backslash then u0000: \\u0000"},
    ],
)
def test_the_raw_line_short_cut_never_skips_a_refusal(document: dict[str, Any]) -> None:
    line = orjson.dumps(document)
    refused = outcome(reject_unstorable, document) is not None
    if refused:
        assert _may_be_unstorable(line)
        with pytest.raises(InvalidPayload):
            parse_record(line, previous=None)
    else:
        parse_record(line, previous=None)


def test_ids_keep_their_shape_and_sort_by_time() -> None:
    shape = re.compile(r"^alt_[0-9A-HJKMNP-TV-Z]{26}$")
    first = ids.new_id("alt")
    time.sleep(0.002)
    later = [ids.new_id("alt") for _ in range(1000)]
    assert all(shape.match(value) for value in [first, *later])
    assert all(first < value for value in later)
    assert len(set(later)) == len(later)
    # The first ten symbols are the milliseconds since the epoch.
    millis = sum(ids._ALPHABET.index(c) << (5 * (9 - i)) for i, c in enumerate(first[4:14]))
    assert abs(millis - time.time() * 1000) < 60_000


def reference_id(prefix: str, millis: int, random_bytes: bytes) -> str:
    """The ULID layout spelt out one symbol at a time."""
    value = (millis << 80) | int.from_bytes(random_bytes, "big")
    return prefix + "_" + "".join(ids._ALPHABET[(value >> (5 * (25 - i))) & 31] for i in range(26))


def test_ids_are_the_ulid_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    for millis in [0, 1, 2**48 - 1, *(rng.getrandbits(48) for _ in range(200))]:
        random_bytes = rng.randbytes(10)
        monkeypatch.setattr(ids.time, "time_ns", lambda millis=millis: millis * 1_000_000 + 999_999)
        monkeypatch.setattr(
            ids._random, "getrandbits", lambda bits, random_bytes=random_bytes: int.from_bytes(random_bytes, "big")
        )
        assert ids.new_id("inc") == reference_id("inc", millis, random_bytes)


def test_a_forked_child_makes_other_ids_than_its_parent() -> None:
    import os

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its ids go to the parent through the pipe
        os.write(write, " ".join(ids.new_id("alt")[-16:] for _ in range(100)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split())
    parent = {ids.new_id("alt")[-16:] for _ in range(100)}
    assert len(child) == 100
    assert not child & parent


def test_replay_restores_the_collectors_threshold() -> None:
    import gc

    from openconductor import replay as replay_module

    before = gc.get_threshold()
    with replay_module._fewer_collections():
        assert gc.get_threshold()[0] >= replay_module.REPLAY_GC_THRESHOLD
        assert gc.isenabled()
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), replay_module._fewer_collections():
        raise RuntimeError("a failed batch")
    assert gc.get_threshold() == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (b'{"title": "x", "received_at": "9999-12-31T23:59:59Z"}', "received_at"),
        (b'{"title": "x", "received_at": "0001-01-01T00:00:00Z"}', "received_at"),
        (b'{"title": "x", "starts_at": "9999-12-31T23:59:59Z"}', "starts_at"),
    ],
)
def test_an_arrival_at_the_ends_of_the_calendar_is_an_invalid_line_not_a_crash(line: bytes, field: str) -> None:
    # The pipeline keeps alerts a day past their last news: such an arrival overflowed deep inside it.
    with pytest.raises(InvalidPayload) as raised:
        parse_record(line, previous=None)
    assert [problem.field for problem in raised.value.problems] == [field]
    # A start far off is fine when the arrival is an ordinary one: the engine reads it as the arrival.
    event = parse_record(
        b'{"title": "x", "starts_at": "0001-01-01T00:00:00Z", "received_at": "2026-01-05T10:00:00Z"}', previous=None
    )
    assert event.received_at.year == 2026
