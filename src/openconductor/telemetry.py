"""Prometheus metrics of one running platform (its own registry, so tests can run several)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.alerts_received = Counter(
            "openconductor_alerts_received",
            "Alert events accepted, by integration.",
            ["integration"],
            registry=self.registry,
        )
        self.alerts_deduplicated = Counter(
            "openconductor_alerts_deduplicated", "Events folded into an already active alert.", registry=self.registry
        )
        self.incidents_opened = Counter(
            "openconductor_incidents_opened", "Incidents opened by correlation.", registry=self.registry
        )
        self.incidents_resolved = Counter(
            "openconductor_incidents_resolved", "Incidents resolved automatically.", registry=self.registry
        )
        self.rejected = Counter(
            "openconductor_requests_rejected",
            "Payloads refused with a 4xx, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.ingest_latency = Histogram(
            "openconductor_ingest_latency_seconds",
            "From request body received to alerts durably stored and correlated.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
