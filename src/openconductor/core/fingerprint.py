"""The stable fingerprint used for deduplication when a source sends none of its own.

The hash covers what identifies *which* alert this is, never what changes between repeats of it:
source, title, service, resource, environment and the labels, minus labels known to carry
per-event values. Values are joined with separators that cannot occur unescaped, so two different
alerts cannot collide by shifting text between fields. SHA-256 truncated to 128 bits, hex.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache

# Labels that vary between repeats of the same alert and must not split it into many.
VOLATILE_LABELS = frozenset({"value", "timestamp", "time", "count", "observed_value", "current_value"})

# Words that say how an alert stands, not which alert it is. Tools that put them in the title
# ("payments-ui homepage is DOWN", then "... is UP"; "db-1/Disk /var is CRITICAL", then "... is OK";
# "[RESOLVED] ...") gave each state a fingerprint of its own, so the resolve matched nothing and the
# alert fired for ever.
_STATES = (
    "up|down|ok|okay|degraded|critical|crit|warning|warn|unknown|recovered|resolved|firing|"
    "problem|recovery|healthy|unhealthy|normal|alerting|triggered"
)
_LEADING_STATE = re.compile(rf"^\s*(?:\[(?:{_STATES})(?::\s*\d+)?\]|(?:{_STATES})(?::|\s+-\s))\s*", re.IGNORECASE)
_TRAILING_STATE = re.compile(rf"\s+(?:is\s+)?(?:{_STATES})[.!]?\s*$", re.IGNORECASE)


@lru_cache(maxsize=65_536)
def stateless_title(title: str) -> str:
    """The title without a state word at its start or end: `[FIRING:2] HighLatency` and `HighLatency`,
    `web-01/HTTP is CRITICAL` and `web-01/HTTP is OK` are one alert. A title that is only a state stays."""
    stripped = _TRAILING_STATE.sub("", _LEADING_STATE.sub("", title))
    return stripped or title


def compute_fingerprint(
    *,
    source: str,
    title: str,
    service: str | None,
    resource: str | None,
    environment: str | None,
    labels: Mapping[str, str],
) -> str:
    parts = [source, stateless_title(title), service or "", resource or "", environment or ""]
    # "=" in a label name is escaped so {"a=b": "c"} and {"a": "b=c"} stay apart; Prometheus-style
    # names contain neither "=" nor "\\", so their fingerprints are unchanged.
    parts.extend(
        f"{_escape_label_name(key)}={labels[key]}" for key in sorted(labels) if key.lower() not in VOLATILE_LABELS
    )
    encoded = "\x1f".join(parts)
    # Escaping changes nothing when no part holds a backslash or a separator (nearly every alert): the
    # separators are then exactly the len(parts) - 1 joints, and the parts are joined as they are.
    if "\\" in encoded or encoded.count("\x1f") >= len(parts):
        encoded = "\x1f".join(part.replace("\\", "\\\\").replace("\x1f", "\\u001f") for part in parts)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:32]


def _escape_label_name(name: str) -> str:
    if "\\" not in name and "=" not in name:
        return name
    return name.replace("\\", "\\\\").replace("=", "\\=")
