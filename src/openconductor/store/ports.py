"""The storage contract the platform depends on; the SQL implementation lives in `store.sql`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from openconductor.core.changes import ChangeSet
from openconductor.core.models import Alert, Incident, Membership
from openconductor.core.queries import ListQuery, Page
from openconductor.core.silences import Silence


class Store(Protocol):
    def apply(self, changes: ChangeSet) -> None:
        """Persist one batch's changes atomically; returns only once they are durable."""

    def save_incident(self, incident: Incident) -> None:
        """Persist an incident changed by a person (acknowledge, resolve, reopen)."""

    def load_working_set(self, *, since: datetime) -> tuple[list[Alert], list[Incident]]:
        """Firing alerts, alerts resolved after `since`, open incidents and incidents resolved after `since`."""

    def list_alerts(self, query: ListQuery) -> Page[Alert]: ...

    def get_alert(self, alert_id: str) -> Alert | None: ...

    def list_incidents(self, query: ListQuery) -> Page[Incident]: ...

    def get_incident(self, incident_id: str) -> Incident | None: ...

    def incident_members(self, incident_id: str) -> list[tuple[Alert, Membership]]: ...

    def counts(self) -> dict[str, int]: ...

    def save_silence(self, silence: Silence) -> None:
        """Persist a new silence or maintenance window."""

    def list_silences(self, *, active_at: datetime | None, include_expired: bool) -> list[Silence]:
        """Silences in effect at `active_at` when given; otherwise every silence that has not ended
        yet (in effect or still to start), and the ended ones too when `include_expired`."""

    def get_silence(self, silence_id: str) -> Silence | None: ...

    def expire_silence(self, silence_id: str, at: datetime) -> Silence | None:
        """End a silence at `at` (kept, for the record); None when there is no such silence."""

    def load_document(self, name: str) -> dict[str, Any] | None:
        """A named JSON document kept between restarts (topology, learned correlation state)."""

    def save_document(self, name: str, document: dict[str, Any]) -> None: ...

    def ping(self) -> None:
        """Raise if the database cannot be reached."""

    def close(self) -> None: ...
