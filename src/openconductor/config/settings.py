"""Typed settings, read from OPENCONDUCTOR_* environment variables and CLI options.

The default database is a SQLite file in the data directory, so one command runs the platform with
nothing else installed; PostgreSQL is chosen by giving a postgresql:// URL.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from openconductor.core.models import Severity


class CorrelationSettings(BaseModel):
    """The baseline correlator: group firing alerts by keys within a window (all in event time)."""

    model_config = ConfigDict(extra="forbid")

    group_by: list[str] = Field(
        default=["environment", "service"],
        description="Alert fields (or `labels.<name>`) whose values must match for alerts to share an incident.",
    )
    group_window: timedelta = Field(
        default=timedelta(minutes=15),
        description="A new alert joins an incident if it arrives within this time of the incident's last new alert.",
    )
    quiet_period: timedelta = Field(
        default=timedelta(hours=1),
        description="An incident with no activity at all for this long is resolved automatically.",
    )
    reopen_grace: timedelta = Field(
        default=timedelta(minutes=15),
        description="A re-firing alert reopens its resolved incident if the incident resolved less than this ago.",
    )


class Evidence(StrEnum):
    SAME_COMPONENT = "same_component"
    TOPOLOGY = "topology"
    COOCCURRENCE = "cooccurrence"
    TEMPLATE_STORM = "template_storm"
    LABELS = "labels"


_DEFAULT_EVIDENCE: list[Evidence] = [e for e in Evidence if e is not Evidence.LABELS]


class PolicyMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    environment: str | None = None
    component: str | None = Field(None, description="A component (service, host...) name; `*` suffix for a prefix.")


class Policy(BaseModel):
    """Overrides for alerts whose environment and component match; the first matching policy wins."""

    model_config = ConfigDict(extra="forbid")

    match: PolicyMatch
    evidence: list[Evidence] | None = None
    join_threshold: float | None = Field(None, ge=0, le=1)
    min_alerts_to_raise: int | None = Field(None, ge=1)
    min_duration_to_raise: timedelta | None = None


class EngineSettings(BaseModel):
    """The correlation engine (docs/correlation.md explains every knob and the measured defaults)."""

    model_config = ConfigDict(extra="forbid")

    # Label similarity is opt-in: on the simulator's streams it changed recall little and cost precision
    # (docs/correlation.md, "Measured quality").
    evidence: list[Evidence] = Field(default_factory=lambda: _DEFAULT_EVIDENCE.copy())
    join_threshold: float = Field(
        0.4, ge=0, le=1, description="An alert joins the best incident whose evidence scores at least this."
    )
    window: timedelta = Field(
        timedelta(minutes=10), description="Longest time between an alert and the related alert it joins."
    )
    max_window: timedelta = Field(
        timedelta(hours=1), description="An incident takes new alerts for this long after its first one."
    )
    max_hops: int = Field(1, ge=0, le=4, description="Topology distance (calls followed one way) that still links.")
    evidence_half_life: timedelta = Field(
        timedelta(minutes=3), description="Evidence halves for every this much time between the two alerts."
    )
    min_alerts_to_raise: int = Field(2, ge=1, description="Distinct alerts an incident needs before it is raised...")
    min_duration_to_raise: timedelta = Field(
        timedelta(minutes=15), description="...or how long one of its alerts must have been firing."
    )
    min_severity_to_raise_alone: Severity = Field(
        Severity.UNKNOWN,
        description="A single alert raises its incident by duration only at this severity or above.",
    )
    informational_alerts_raise: bool = Field(
        False,
        description="Informational alerts (severity info) count towards raising an incident, by number or duration; "
        "by default they join incidents but only other alerts raise them.",
    )
    chronic_after: timedelta = Field(
        timedelta(hours=6), description="An alert already this old when first seen is chronic: it never raises alone."
    )
    storm_min_components: int = Field(3, ge=2, description="Same kind of alert on this many components at once...")
    storm_window: timedelta = Field(timedelta(minutes=5), description="...within this time...")
    storm_max_chance: float = Field(
        0.001, gt=0, le=1, description="...and that many this close would happen by chance at most this often."
    )
    bridge_threshold: float | None = Field(
        0.5,
        ge=0,
        le=1,
        description="An alert that joins one incident and scores at least this for other pending ones brings them "
        "in (None: never).",
    )
    topology_file: Path | None = Field(None, description="Topology (YAML or JSON) loaded at start-up.")
    default_environment: str | None = Field(
        "prod", description="Environment assumed for an alert naming none, when its component exists in several."
    )
    policies: list[Policy] = Field(default_factory=list)


class DedupSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refire_window: timedelta = Field(
        default=timedelta(minutes=30),
        description="A resolved alert that fires again within this time is the same alert firing again.",
    )
    flap_window: timedelta = Field(default=timedelta(hours=1))
    flap_threshold: int = Field(
        default=4, ge=2, description="Status changes within flap_window that mark an alert as flapping."
    )


class NotificationSettings(BaseModel):
    """Timings of the notification outbox (docs/notifications.md); targets and routes live in their own file."""

    model_config = ConfigDict(extra="forbid")

    update_throttle: timedelta = Field(
        timedelta(minutes=5), description="At most one `updated` notice per incident and target this often."
    )
    max_attempts: int = Field(8, ge=1, description="Attempts before a notice goes to the dead letters.")
    backoff_base: timedelta = Field(timedelta(seconds=10), description="Wait after the first failed attempt...")
    backoff_cap: timedelta = Field(timedelta(minutes=10), description="...doubling each time, up to this.")
    delivery_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one attempt.")
    worker_interval_seconds: float = Field(2.0, gt=0, description="How often the server looks for due notices.")
    public_url: str | None = Field(
        None, description="Base URL people open incidents at, for links in notices; default http://<host>:<port>."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENCONDUCTOR_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the default SQLite database lives.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/openconductor.db."
    )
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, description="Larger request bodies get 413.")
    max_alerts_per_request: int = Field(default=10_000, ge=1)
    mappings_file: Path | None = Field(
        default=None, description="Mappings (YAML or JSON) for /api/v1/integrations/mapping/<name>, read at start-up."
    )
    sqlite_synchronous: str = Field(
        default="FULL",
        description="FULL survives power loss; NORMAL survives a process crash only. See docs/operations.md.",
    )
    sweep_interval_seconds: float = Field(
        default=15.0, gt=0, description="How often the server closes quiet incidents by the wall clock."
    )
    api_token: SecretStr | None = Field(
        None,
        description="When set, every API call but ingest and health needs `Authorization: Bearer <api_token>` "
        "(docs/api.md#authentication); the CLI sends OPENCONDUCTOR_API_TOKEN.",
    )
    ingest_auth: Literal["auto", "required", "off"] = Field(
        "auto",
        description="auto: an integration takes only its tokens once it has one; required: every ingest request "
        "needs a token; off: no checks (docs/integrations.md#authentication).",
    )
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    correlator: Literal["engine", "group_by"] = Field("engine", description="engine, or the group_by baseline.")
    correlation: CorrelationSettings = Field(default_factory=CorrelationSettings)
    engine: EngineSettings = Field(default_factory=lambda: EngineSettings())
    notifications_file: Path | None = Field(
        None, description="Notification targets and routes (YAML, docs/notifications.md); none: nothing is sent."
    )
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)

    @field_validator("sqlite_synchronous")
    @classmethod
    def _known_synchronous(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("expected FULL, NORMAL or EXTRA")
        return upper

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openconductor.db').resolve()}"
