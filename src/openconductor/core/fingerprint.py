"""The stable fingerprint used for deduplication when a source sends none of its own.

The hash covers what identifies *which* alert this is, never what changes between repeats of it:
source, title, service, resource, environment and the labels, minus labels known to carry
per-event values. Values are joined with separators that cannot occur unescaped, so two different
alerts cannot collide by shifting text between fields. SHA-256 truncated to 128 bits, hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

# Labels that vary between repeats of the same alert and must not split it into many.
VOLATILE_LABELS = frozenset({"value", "timestamp", "time", "count", "observed_value", "current_value"})


def compute_fingerprint(
    *,
    source: str,
    title: str,
    service: str | None,
    resource: str | None,
    environment: str | None,
    labels: Mapping[str, str],
) -> str:
    parts = [source, title, service or "", resource or "", environment or ""]
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
