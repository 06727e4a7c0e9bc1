"""Learned co-occurrence: pairs that keep firing together, chance, decay, teaching, persistence."""

from __future__ import annotations

import random

import orjson
import pytest

from openconductor.correlation.cooccurrence import CooccurrenceModel, CooccurrenceSettings

DB = ("prod", "postgres")
API = ("prod", "checkout")
HOUR = 3600.0


def background(model: CooccurrenceModel, *, start: float, count: int) -> float:
    """Onsets of unrelated components, each alone (further apart than the window); returns the end."""
    at = start
    for index in range(count):
        model.observe(("prod", f"host-{index % 20}"), at)
        at += model.settings.window_seconds * 2
    return at


def together(model: CooccurrenceModel, first: tuple[str, str], second: tuple[str, str], *, at: float) -> None:
    model.observe(first, at)
    model.observe(second, at + 30.0)


def test_components_that_keep_firing_together_get_a_positive_pmi_with_support() -> None:
    model = CooccurrenceModel()
    at = background(model, start=0.0, count=100)
    for _ in range(6):
        together(model, DB, API, at=at)
        at = background(model, start=at + HOUR, count=5)

    found = model.pmi(API, DB)
    assert found is not None
    pmi, support = found
    assert pmi > model.settings.min_pmi
    assert 5.5 < support <= 6.0  # six times together, decayed a little over the hours
    assert model.pmi(DB, API) == pytest.approx(found)
    assert DB in model.partners(API)


def test_too_few_times_together_is_not_evidence() -> None:
    model = CooccurrenceModel()
    at = background(model, start=0.0, count=100)
    for _ in range(2):  # below min_support (3)
        together(model, DB, API, at=at)
        at += HOUR
    assert model.pmi(API, DB) is None


def test_components_firing_independently_get_no_evidence() -> None:
    # Four components alert at random, one a minute: any two meet only as often as chance says.
    model = CooccurrenceModel()
    chooser = random.Random(7)
    components = [("prod", name) for name in ("web", "cart", "search", "mail")]
    for minute in range(3000):
        model.observe(chooser.choice(components), minute * 60.0)
    for first in components:
        for second in components:
            if first != second:
                assert model.pairs[first][second] >= model.settings.min_support
                assert model.pmi(first, second) is None


def test_components_that_never_meet_are_not_partners() -> None:
    model = CooccurrenceModel()
    background(model, start=0.0, count=100)
    assert model.partners(("prod", "host-1")) == []
    assert model.pmi(("prod", "host-1"), ("prod", "host-2")) is None


def test_counts_halve_every_half_life_and_fade_away() -> None:
    settings = CooccurrenceSettings(half_life_seconds=10 * HOUR)
    model = CooccurrenceModel(settings=settings)
    for round_ in range(5):
        together(model, DB, API, at=round_ * HOUR)
    before_total, before_pair = model.total, model.pairs[DB][API]

    later = 4 * HOUR + settings.half_life_seconds
    model.observe(("prod", "other"), later)
    assert model.pairs[DB][API] == pytest.approx(before_pair / 2, rel=0.05)
    assert model.total == pytest.approx(before_total / 2 + 1, rel=0.05)

    model.observe(("prod", "other"), later + 20 * settings.half_life_seconds)
    assert DB not in model.pairs and DB not in model.onsets
    assert model.pmi(DB, API) is None


def test_teach_together_links_components_that_never_met() -> None:
    model = CooccurrenceModel()
    at = background(model, start=0.0, count=100)
    for _ in range(6):
        together(model, ("prod", "web"), ("prod", "cdn"), at=at)  # some pairs exist at all
        model.observe(DB, at + HOUR)
        model.observe(API, at + 2 * HOUR)
        at += 3 * HOUR
    assert model.pmi(API, DB) is None

    model.teach_together(API, DB, model.settings.min_support)
    assert model.pmi(API, DB) is not None
    assert model.pmi(DB, API) is not None


def test_teach_apart_vetoes_a_learned_pair_and_teach_together_lifts_the_veto() -> None:
    model = CooccurrenceModel()
    at = background(model, start=0.0, count=100)
    for _ in range(6):
        together(model, DB, API, at=at)
        at += HOUR
    assert model.pmi(API, DB) is not None

    model.teach_apart(API, DB, 6.0)
    assert model.pmi(API, DB) is None
    assert model.pmi(DB, API) is None

    model.teach_together(API, DB, 1.0)
    assert model.pmi(API, DB) is not None


def test_teaching_a_component_about_itself_does_nothing() -> None:
    model = CooccurrenceModel()
    model.teach_together(DB, DB, 5.0)
    model.teach_apart(DB, DB, 5.0)
    assert model.pairs == {} and model.vetoes == {}


def test_the_document_round_trips_through_json() -> None:
    model = CooccurrenceModel()
    at = background(model, start=0.0, count=60)
    for _ in range(5):
        together(model, DB, API, at=at)
        at += HOUR
    model.teach_apart(("prod", "host-1"), ("prod", "host-2"), 2.0)

    document = orjson.loads(orjson.dumps(model.to_document()))
    again = CooccurrenceModel.from_document(document)

    assert again.onsets == pytest.approx(model.onsets, abs=1e-4)  # stored to 4 decimals
    assert again.total == model.total and again.pair_events == model.pair_events
    assert again.last_decay == model.last_decay
    assert again.vetoes == {
        ("prod", "host-1"): {("prod", "host-2"): 2.0},
        ("prod", "host-2"): {("prod", "host-1"): 2.0},
    }
    assert again.pmi(API, DB) == pytest.approx(model.pmi(API, DB), abs=1e-3)
    assert sorted(again.partners(DB)) == sorted(model.partners(DB))


def test_an_empty_document_gives_an_empty_model() -> None:
    again = CooccurrenceModel.from_document({})
    assert again.total == 0 and again.pmi(DB, API) is None


def test_the_saved_document_leaves_out_pairs_met_only_once() -> None:
    from openconductor.correlation.cooccurrence import CooccurrenceModel

    model = CooccurrenceModel()
    a, b, c = ("prod", "a"), ("prod", "b"), ("prod", "c")
    model.observe(a, 0.0)
    model.observe(b, 10.0)  # a-b once
    model.observe(a, 1000.0)
    model.observe(c, 1010.0)  # a-c once
    model.observe(c, 2000.0)
    model.observe(a, 2010.0)  # a-c twice
    saved = {(tuple(x), tuple(y)) for x, y, _ in model.to_document()["pairs"]}
    assert saved == {(a, c), (c, a)}
    restored = CooccurrenceModel.from_document(model.to_document())
    assert restored.pairs[a] == {c: 2.0}


def test_an_onset_pairs_with_the_latest_distinct_components_of_its_window_however_they_arrived() -> None:
    """The partners of an onset are the `recent_limit` components met latest among the onsets still in
    the window, each once: what walking back over every recent onset from the newest gives, also when
    a busy component repeats and onsets arrive out of time order (the window forgets from its front)."""
    from operator import itemgetter

    rng = random.Random(7)
    settings = CooccurrenceSettings(window_seconds=100.0, recent_limit=5, max_partners=4)
    model = CooccurrenceModel(settings=settings)
    window: list[tuple[float, tuple[str, str]]] = []
    pairs: dict[tuple[str, str], dict[tuple[str, str], float]] = {}
    at = 0.0
    for _ in range(1500):
        at += rng.choice([0.0, 0.5, 1.0, 2.0])  # under an hour in all: no decay
        onset = at - rng.choice([0.0, 0.0, 150.0])
        entity = ("prod", f"c{rng.randrange(12)}")
        model.observe(entity, onset)
        while window and window[0][0] < onset - settings.window_seconds:
            window.pop(0)
        met: list[tuple[str, str]] = []
        for _, other in reversed(window):
            if other != entity and other not in met and len(met) < settings.recent_limit:
                met.append(other)
        window.append((onset, entity))
        # Each partner's side is trimmed as it grows, the onset's own side once all are counted.
        for first, second in [pair for other in met for pair in ((entity, other), (other, entity))] + [(entity, None)]:
            partners = pairs.setdefault(first, {})
            if second is not None:
                partners[second] = partners.get(second, 0.0) + 1.0
            if len(partners) > 2 * settings.max_partners and (second is None or first != entity):
                ranked = sorted(partners.items(), key=itemgetter(1), reverse=True)
                pairs[first] = dict(ranked[: settings.max_partners])
        assert {key: list(value.items()) for key, value in model.pairs.items() if value} == {
            key: list(value.items()) for key, value in pairs.items() if value
        }


def test_a_storming_onset_pairs_only_with_other_kinds_and_looks_no_further_than_the_limit() -> None:
    settings = CooccurrenceSettings(recent_limit=3)
    model = CooccurrenceModel(settings=settings)
    node, ping = ("prod", "node-7"), ("prod", "ping")
    model.observe(node, 0.0, kind="node not ready")
    for index in range(5):
        model.observe(("prod", f"host-{index}"), 1.0 + index, kind=ping, storming=True)
    # Each storming host skipped the hosts before it (the storm's own kind) and met the node, while it was
    # within the three latest components.
    assert model.partners(node) == [("prod", "host-0"), ("prod", "host-1"), ("prod", "host-2")]
    assert model.partners(("prod", "host-4")) == []
    assert model.pairs.get(("prod", "host-1"), {}) == {node: 1.0}
    # Without the storm, the same onsets pair as ever.
    calm = CooccurrenceModel(settings=settings)
    for index in range(3):
        calm.observe(("prod", f"host-{index}"), float(index), kind=ping)
    assert calm.partners(("prod", "host-0")) == [("prod", "host-1"), ("prod", "host-2")]
