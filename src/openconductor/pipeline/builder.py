"""The one place where the pipeline's stage order is fixed. Read this to see where an alert goes.

events -> Deduplicate -> Mute -> CorrelationEngine (or the GroupByCorrelator baseline)
       -> ChangeSet (persisted by the caller in one transaction)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openconductor.config.settings import Settings
from openconductor.core.models import AlertEvent
from openconductor.pipeline.correlate import CorrelationEngine
from openconductor.pipeline.dedup import Deduplicate, forget_firing_after
from openconductor.pipeline.group_by import GroupByCorrelator
from openconductor.pipeline.mute import Mute
from openconductor.pipeline.stage import Batch, Correlator, Item, Stage, Sweeper
from openconductor.pipeline.state import PipelineState


@dataclass(slots=True)
class Pipeline:
    state: PipelineState
    stages: list[Stage]
    sweepers: list[Sweeper]
    correlator: Correlator

    def run(self, events: list[AlertEvent]) -> Batch:
        """Take each event through every stage before the next one starts, in order.

        Per-event order matters: a batch may hold an alert's firing and its resolve, and time
        must pass (quiet incidents close) between events exactly as it would between requests.
        """
        batch = Batch(items=[Item(event) for event in events])
        for item in batch.items:
            items = [item]
            for stage in self.stages:
                items = stage(items, batch)
                if not items:
                    break
            if self.state.clock is not None:
                self.sweep(self.state.clock, batch)
        return batch

    def sweep(self, now: datetime, batch: Batch | None = None) -> Batch:
        """Let time pass: close quiet incidents and forget what fell out of every window."""
        batch = batch or Batch(items=[])
        for sweeper in self.sweepers:
            sweeper.sweep(now, batch)
        return batch


def build_pipeline(settings: Settings, state: PipelineState | None = None) -> Pipeline:
    state = state or PipelineState()
    dedup = Deduplicate(
        state,
        settings.dedup,
        forget_firing_after=forget_firing_after(settings),
    )
    mute = Mute(state)
    correlator: Correlator
    if settings.correlator == "group_by":
        correlator = GroupByCorrelator(state, settings.correlation, keep_resolved_for=settings.dedup.refire_window)
    else:
        correlator = CorrelationEngine(state, settings)
    return Pipeline(
        state=state, stages=[dedup, mute, correlator], sweepers=[dedup, mute, correlator], correlator=correlator
    )
