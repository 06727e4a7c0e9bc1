"""What the pipeline remembers between batches: active alerts and recent incidents, bounded by windows.

The database is the durable copy; this is the working set, rebuilt from it at start-up, so lookups
on the hot path are dictionary reads instead of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from openconductor.core.models import Alert, Incident
from openconductor.core.silences import SilenceBook
from openconductor.pipeline.resends import ResendGaps


@dataclass(slots=True)
class PipelineState:
    alerts_by_fingerprint: dict[str, Alert] = field(default_factory=dict)
    alerts_by_id: dict[str, Alert] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    # The furthest event time seen: the pipeline's clock, which never runs backwards.
    clock: datetime | None = None
    # The silences and maintenance windows not yet ended; the durable copy is in the store.
    silences: SilenceBook = field(default_factory=SilenceBook)
    # How long each source stays silent between re-sends of a firing alert (learned by deduplication).
    resends: ResendGaps = field(default_factory=ResendGaps)

    def remember_alert(self, alert: Alert) -> None:
        self.alerts_by_fingerprint[alert.fingerprint] = alert
        self.alerts_by_id[alert.id] = alert

    def forget_alert(self, alert: Alert) -> None:
        if self.alerts_by_fingerprint.get(alert.fingerprint) is alert:
            del self.alerts_by_fingerprint[alert.fingerprint]
        self.alerts_by_id.pop(alert.id, None)

    def advance(self, moment: datetime) -> datetime:
        if self.clock is None or moment > self.clock:
            self.clock = moment
        return self.clock
