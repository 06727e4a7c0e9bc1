"""Alert kinds, how each monitoring source delivers alerts, and the identity of one alert instance."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

KINDS = (
    "latency",
    "error_rate",
    "saturation",
    "availability",
    "queue_lag",
    "crash_loop",
    "node_not_ready",
    "disk",
    "cert_expiry",
    "slo_burn",
    "synthetic",
)
SOURCES = ("prometheus", "datadog", "cloudwatch", "grafana", "zabbix", "nagios", "synthetic")
# Sources whose native payload is an Alertmanager webhook (Grafana-managed alerts go through Grafana's own one).
ALERTMANAGER_SOURCES = ("prometheus", "grafana")


@dataclass(frozen=True, slots=True)
class SourceBehaviour:
    """Delays in seconds: `pending` before a condition becomes an alert, `delivery` until we receive it."""

    pending: tuple[float, float]
    delivery: tuple[float, float]
    resolve_delay: tuple[float, float]
    repeat_seconds: float | None
    sends_fingerprint: bool
    resolved_severity: str | None = None


BEHAVIOURS: dict[str, SourceBehaviour] = {
    # Alertmanager: group_wait 30s before the first notice, repeat_interval 4h, resolves at the next group_interval.
    "prometheus": SourceBehaviour((60, 300), (30, 45), (0, 300), 4 * 3600, sends_fingerprint=True),
    "grafana": SourceBehaviour((60, 300), (5, 65), (60, 120), 4 * 3600, sends_fingerprint=True),
    # Datadog renotification is per monitor (set on the identity); the aggregation key serves as fingerprint.
    "datadog": SourceBehaviour((60, 300), (5, 30), (60, 300), None, sends_fingerprint=True),
    "cloudwatch": SourceBehaviour((60, 300), (1, 20), (60, 300), None, sends_fingerprint=False, resolved_severity="OK"),
    "zabbix": SourceBehaviour((30, 180), (1, 10), (30, 120), 30 * 60, sends_fingerprint=False),
    "nagios": SourceBehaviour((60, 360), (1, 5), (60, 300), 60 * 60, sends_fingerprint=False, resolved_severity="OK"),
    "synthetic": SourceBehaviour((60, 300), (1, 30), (60, 300), None, sends_fingerprint=False, resolved_severity="UP"),
}


@dataclass(slots=True)
class AlertIdentity:
    """Everything that stays the same across the firing, re-sent and resolved records of one alert."""

    source: str
    title: str
    severity: str
    service: str
    resource: str
    environment: str
    labels: dict[str, str]
    annotations: dict[str, str]
    description: str
    value_range: tuple[float, float]
    component: int
    resolved_title: str = ""
    fingerprint: str | None = None
    repeat_seconds: float | None = None
    value_decimals: int = 2

    @property
    def key(self) -> str:
        """What makes two records the same alert: the fingerprint, else the source and its labels."""
        if self.fingerprint:
            return self.fingerprint
        return self.source + "|" + "|".join(f"{k}={v}" for k, v in sorted(self.labels.items()))

    def describe(self, rng: random.Random) -> str:
        low, high = self.value_range
        value = low + (high - low) * rng.random()
        text = f"{value:.{self.value_decimals}f}" if self.value_decimals else str(round(value))
        return self.description.replace("{v}", text)


def stable_hex(*parts: Any, length: int = 16) -> str:
    """A hex id that depends only on its inputs (Python's hash() changes between runs)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=(length + 1) // 2)
    return digest.hexdigest()[:length]


def stable_int(*parts: Any) -> int:
    return int(stable_hex(*parts, length=8), 16)


def label_fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager-style: 16 hex chars derived from the sorted label set only."""
    return stable_hex(*(f"{k}={v}" for k, v in sorted(labels.items())), length=16)
