"""The stage contract, the item that flows through the stages, and the change set they produce.

A stage takes the batch's items and returns the items for the next stage; returning fewer stops
them. Stages record what must be persisted in the batch's ChangeSet, which the caller writes in one
transaction before it answers the client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from openconductor.core.changes import ChangeSet, Departure
from openconductor.core.models import Alert, AlertEvent, Incident

__all__ = ["Batch", "Change", "ChangeSet", "Correlator", "Departure", "Item", "Stage", "Sweeper"]


class Change(StrEnum):
    """What an event meant for the alert it belongs to, decided by deduplication."""

    NEW = "new"
    REPEAT = "repeat"
    REFIRE = "refire"
    RESOLVE = "resolve"
    ACKNOWLEDGE = "acknowledge"
    # A resolve or acknowledge for an alert never seen firing: kept, never correlated.
    UNMATCHED = "unmatched"


@dataclass(slots=True)
class Item:
    event: AlertEvent
    alert: Alert | None = None
    change: Change | None = None
    # An alert whose firing this event proved over although its resolve never arrived: the source
    # started the same alert afresh (deduplication decides; the correlator closes it first).
    ended: Alert | None = None


@dataclass(slots=True)
class Batch:
    items: list[Item]
    changes: ChangeSet = field(default_factory=ChangeSet)


class Stage(Protocol):
    def __call__(self, items: list[Item], batch: Batch) -> list[Item]: ...


class Sweeper(Protocol):
    """A stage that also acts on the passage of time (closing quiet incidents, forgetting old alerts)."""

    def sweep(self, now: datetime, batch: Batch) -> None: ...


class Correlator(Stage, Sweeper, Protocol):
    """The stage that groups alerts into incidents; swappable in `builder.build_pipeline`."""

    def adopt(self, incident: Incident) -> None:
        """Take an incident loaded from the database into the working set (at start-up)."""

    def rebuilt(self) -> None:
        """Called once every incident and alert of the working set has been loaded."""

    def document(self) -> dict[str, Any] | None:
        """What the correlator learned and must keep across restarts (None: nothing)."""

    def load_document(self, document: dict[str, Any]) -> None: ...

    def alert_moved(self, alert: Alert, previous_id: str | None, target: Incident) -> None:
        """A person moved `alert` from `previous_id` into `target` (merge, split or move)."""
