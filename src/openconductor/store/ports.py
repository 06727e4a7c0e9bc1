"""The storage contract the platform depends on; the SQL implementation lives in `store.sql`."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from openconductor.core.changes import ChangeSet
from openconductor.core.models import Alert, Incident, Membership
from openconductor.core.queries import ListQuery, Page


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

    def ping(self) -> None:
        """Raise if the database cannot be reached."""

    def close(self) -> None: ...
