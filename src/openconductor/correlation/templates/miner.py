"""Online, deterministic template miner: recognises that alerts differing only in variable parts are one kind.

Drain-like search (leaves keyed by token count and first token, similarity threshold) over masked tokens, plus an
online merge of templates that become equal once their variable positions are ignored.
"""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openconductor.correlation.templates.masking import WILDCARD, MaskedText, mask_text

STATE_VERSION = 1

# Alert titles repeat (about 7,000 distinct titles in 37,000 onsets of the enterprise simulation), and
# masking is a pure function of the text: each distinct title is masked once while it stays recent.
_masked = lru_cache(maxsize=16_384)(mask_text)


@dataclass(frozen=True)
class TemplateMatch:
    template_id: str
    template: str
    parameters: list[str]


@dataclass(frozen=True)
class MinerConfig:
    """The one generic configuration; the defaults are what OpenConductor ships and evaluates."""

    similarity_threshold: float = 0.6
    max_templates_per_leaf: int = 64
    max_templates: int = 20_000
    min_variants_to_generalise: int = 4

    def __post_init__(self) -> None:
        if not 0.0 < self.similarity_threshold <= 1.0:
            raise ValueError(f"similarity_threshold: expected 0 < value <= 1, got {self.similarity_threshold}")
        if self.max_templates_per_leaf < 1 or self.max_templates < 1:
            raise ValueError("max_templates_per_leaf and max_templates: expected at least 1")


@dataclass
class _Cluster:
    template_id: str
    tokens: list[str]
    size: int
    created: int  # creation order: the deterministic tie-break between equally similar templates

    def leaf_key(self) -> tuple[int, str]:
        return _leaf_key(self.tokens)


def _leaf_key(tokens: list[str] | tuple[str, ...]) -> tuple[int, str]:
    # A first token that holds a variable cannot route; such messages share one wildcard leaf per length.
    first = tokens[0] if tokens else ""
    return len(tokens), (WILDCARD if WILDCARD in first else first)


class TemplateMiner:
    """Learns alert templates one message at a time; ids stay stable as their templates generalise."""

    def __init__(self, config: MinerConfig | None = None) -> None:
        self.config = config or MinerConfig()
        # Both dicts keep least-recently-used first, so eviction pops from the front.
        self._clusters: dict[str, _Cluster] = {}
        self._leaves: dict[tuple[int, str], dict[str, _Cluster]] = {}
        self._aliases: dict[str, str] = {}
        self._created = 0
        # Which messages are settled: masked tokens -> the cluster they last joined unchanged, and the
        # version of its leaf then. Joining depends only on the leaf's templates (never on recency),
        # so while the leaf is as it was, the same tokens join the same cluster unchanged again, and
        # the search is skipped. Every change to a leaf's templates gives it a new version.
        self._settled: dict[tuple[str, ...], tuple[_Cluster, int]] = {}
        self._leaf_versions: dict[tuple[int, str], int] = {}
        self._changes = 0

    def __len__(self) -> int:
        return len(self._clusters)

    def learn(self, text: str) -> TemplateMatch:
        cluster, masked = self._learn(text)
        return self._result(cluster, masked)

    def learn_id(self, text: str) -> str:
        """`learn(text).template_id`, without working out the template's text and parameters."""
        return self._learn(text)[0].template_id

    def _learn(self, text: str) -> tuple[_Cluster, MaskedText]:
        masked = _masked(text)
        tokens = masked.tokens
        key = _leaf_key(tokens)
        settled = self._settled.get(tokens)
        if settled is not None and self._leaf_versions.get(key) == settled[1]:
            known = settled[0]
            known.size += 1
            self._touch(self._leaves[key], known)
            return known, masked
        leaf = self._leaves.setdefault(key, {})
        cluster = self._best_cluster(leaf, tokens)
        if cluster is not None:
            word_slots = _word_mismatches(cluster.tokens, tokens)
            if word_slots and not self._enough_variants(leaf, tokens, word_slots):
                cluster = None
        if cluster is None:
            cluster = self._create(leaf, tokens)
        else:
            cluster.size += 1
            generalised = _generalise(cluster.tokens, tokens)
            if generalised != cluster.tokens:
                cluster.tokens = generalised
                self._changed(key)
                cluster = self._merge_equivalent(leaf, cluster)
            else:
                if len(self._settled) >= self.config.max_templates:
                    self._settled.clear()
                self._settled[tokens] = (cluster, self._leaf_versions.setdefault(key, self._next_change()))
            self._touch(leaf, cluster)
        return cluster, masked

    def _changed(self, key: tuple[int, str]) -> None:
        """The templates of leaf `key` changed: what was settled there must be searched again."""
        self._leaf_versions[key] = self._next_change()

    def _next_change(self) -> int:
        self._changes += 1
        return self._changes

    def match(self, text: str) -> TemplateMatch | None:
        """The template `text` belongs to, without learning from it or changing recency."""
        masked = _masked(text)
        leaf = self._leaves.get(_leaf_key(masked.tokens))
        if not leaf:
            return None
        cluster = self._best_cluster(leaf, masked.tokens)
        return None if cluster is None else self._result(cluster, masked)

    def resolve_id(self, template_id: str) -> str:
        """The id a template lives under now: merged templates answer with the id they were merged into."""
        seen = 0
        while template_id in self._aliases and seen <= len(self._aliases):
            template_id = self._aliases[template_id]
            seen += 1
        return template_id

    def templates(self) -> dict[str, str]:
        return {template_id: " ".join(cluster.tokens) for template_id, cluster in self._clusters.items()}

    # -- search and update -------------------------------------------------------------------------------

    def _best_cluster(self, leaf: dict[str, _Cluster], tokens: tuple[str, ...]) -> _Cluster | None:
        if not tokens:
            # Empty messages are one kind; the leaf for length zero holds at most that one template.
            return next(iter(leaf.values()), None)
        best: _Cluster | None = None
        best_rank = (-1.0, 0)
        for cluster in leaf.values():
            similarity = _similarity(cluster.tokens, tokens)
            rank = (similarity, -cluster.created)
            if rank > best_rank:
                best, best_rank = cluster, rank
        return best if best_rank[0] >= self.config.similarity_threshold else None

    def _enough_variants(self, leaf: dict[str, _Cluster], tokens: tuple[str, ...], slots: list[int]) -> bool:
        """Whether the words at `slots` have shown enough different values to be a variable.

        A word that takes only a few values ("GET", "POST"; "started", "stopped") usually names a different kind,
        while one that keeps changing (user names, queue names) is a parameter. Until enough variants are seen,
        each stays its own template; the merge pass then folds them into the oldest id.
        """
        slot_set = set(slots)
        variants = {tuple(tokens[slot] for slot in slots)}
        for sibling in leaf.values():
            if len(sibling.tokens) != len(tokens):
                continue
            if any(sibling.tokens[slot] == WILDCARD for slot in slots):
                return True
            if all(
                index in slot_set or WILDCARD in (a, b) or a == b
                for index, (a, b) in enumerate(zip(sibling.tokens, tokens, strict=True))
            ):
                variants.add(tuple(sibling.tokens[slot] for slot in slots))
        return len(variants) >= self.config.min_variants_to_generalise

    def _create(self, leaf: dict[str, _Cluster], tokens: tuple[str, ...]) -> _Cluster:
        template_id = self._new_id(tokens)
        cluster = _Cluster(template_id=template_id, tokens=list(tokens), size=1, created=self._created)
        self._created += 1
        leaf[template_id] = cluster
        self._clusters[template_id] = cluster
        self._changed(_leaf_key(tokens))
        self._evict(leaf)
        return cluster

    def _new_id(self, tokens: tuple[str, ...]) -> str:
        # Derived from the template a cluster was born with, so a restarted or re-fed miner gives the same ids.
        digest = hashlib.blake2b(" ".join(tokens).encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
        candidate, suffix = digest, 1
        while candidate in self._clusters or candidate in self._aliases:
            candidate = f"{digest}-{suffix}"
            suffix += 1
        return candidate

    def _merge_equivalent(self, leaf: dict[str, _Cluster], cluster: _Cluster) -> _Cluster:
        """Fold together templates of this leaf that now differ only where one of them has a variable."""
        for other in list(leaf.values()):
            absorbed_earlier = other.template_id not in leaf
            if other is cluster or absorbed_earlier or not _compatible(other.tokens, cluster.tokens):
                continue
            survivor, absorbed = (other, cluster) if other.created < cluster.created else (cluster, other)
            survivor.tokens = _generalise(survivor.tokens, absorbed.tokens)
            survivor.size += absorbed.size
            del leaf[absorbed.template_id]
            del self._clusters[absorbed.template_id]
            self._add_alias(absorbed.template_id, survivor.template_id)
            cluster = survivor
        return cluster

    def _add_alias(self, absorbed_id: str, survivor_id: str) -> None:
        self._aliases[absorbed_id] = survivor_id
        # Aliases only serve callers that still hold old ids; keep as many as there may be templates.
        while len(self._aliases) > self.config.max_templates:
            del self._aliases[next(iter(self._aliases))]

    def _touch(self, leaf: dict[str, _Cluster], cluster: _Cluster) -> None:
        template_id = cluster.template_id
        leaf[template_id] = leaf.pop(template_id)
        self._clusters[template_id] = self._clusters.pop(template_id)

    def _evict(self, leaf: dict[str, _Cluster]) -> None:
        while len(leaf) > self.config.max_templates_per_leaf:
            self._drop(next(iter(leaf)))
        while len(self._clusters) > self.config.max_templates:
            self._drop(next(iter(self._clusters)))

    def _drop(self, template_id: str) -> None:
        cluster = self._clusters.pop(template_id)
        key = cluster.leaf_key()
        leaf = self._leaves[key]
        del leaf[template_id]
        if leaf:
            self._changed(key)
        else:
            del self._leaves[key]
            self._leaf_versions.pop(key, None)

    def _result(self, cluster: _Cluster, masked: MaskedText) -> TemplateMatch:
        return TemplateMatch(
            template_id=cluster.template_id,
            template=" ".join(cluster.tokens),
            parameters=_parameters(cluster.tokens, masked),
        )

    # -- persistence -------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types; templates are listed least-recently-used first so recency survives a restart."""
        return {
            "version": STATE_VERSION,
            "config": {
                "similarity_threshold": self.config.similarity_threshold,
                "max_templates_per_leaf": self.config.max_templates_per_leaf,
                "max_templates": self.config.max_templates,
                "min_variants_to_generalise": self.config.min_variants_to_generalise,
            },
            "created": self._created,
            "templates": [
                {"id": c.template_id, "tokens": list(c.tokens), "size": c.size, "created": c.created}
                for c in self._clusters.values()
            ],
            "aliases": [[absorbed, survivor] for absorbed, survivor in self._aliases.items()],
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> TemplateMiner:
        version = state.get("version")
        if version != STATE_VERSION:
            raise ValueError(f"version: expected {STATE_VERSION}, got {version!r}")
        miner = cls(MinerConfig(**state["config"]))
        miner._created = int(state["created"])
        for item in state["templates"]:
            cluster = _Cluster(
                template_id=str(item["id"]),
                tokens=[str(token) for token in item["tokens"]],
                size=int(item["size"]),
                created=int(item["created"]),
            )
            miner._clusters[cluster.template_id] = cluster
            miner._leaves.setdefault(cluster.leaf_key(), {})[cluster.template_id] = cluster
        miner._aliases = {str(absorbed): str(survivor) for absorbed, survivor in state["aliases"]}
        return miner


def _similarity(template: list[str], tokens: tuple[str, ...]) -> float:
    """Share of the compared slots where the message has the template's word.

    A slot where both sides already have a variable says nothing about the kind and is not compared.
    A slot the template learned to vary counts against a concrete word, as in Drain, so that a
    template cannot swallow every message of its length once it has generalised a few times."""
    if len(template) != len(tokens):
        return 0.0
    # Counted with map() rather than a loop over pairs: this runs for every template of a leaf.
    same = sum(map(operator.eq, template, tokens))
    compared = len(template)
    if WILDCARD in template and WILDCARD in tokens:
        both_vary = sum(1 for expected, seen in zip(template, tokens, strict=True) if expected == seen == WILDCARD)
        same -= both_vary
        compared -= both_vary
    return same / compared if compared else 1.0


def _word_mismatches(template: list[str], tokens: tuple[str, ...]) -> list[int]:
    return [
        index
        for index, (expected, seen) in enumerate(zip(template, tokens, strict=True))
        if expected != seen and WILDCARD not in expected and WILDCARD not in seen
    ]


def _generalise(template: list[str], tokens: list[str] | tuple[str, ...]) -> list[str]:
    return [expected if expected == seen else WILDCARD for expected, seen in zip(template, tokens, strict=True)]


def _compatible(first: list[str], second: list[str]) -> bool:
    return len(first) == len(second) and all(WILDCARD in (a, b) or a == b for a, b in zip(first, second, strict=True))


def _parameters(template: list[str], masked: MaskedText) -> list[str]:
    parameters: list[str] = []
    for index, expected in enumerate(template[: len(masked.tokens)]):
        if expected == WILDCARD:
            parameters.append(masked.original_token(index))
        elif WILDCARD in expected:
            parameters.extend(masked.values[index])
    return parameters
