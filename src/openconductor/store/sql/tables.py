"""Table definitions (SQLAlchemy Core). Alembic migrations in `migrations/` create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONDocument = JSON().with_variant(JSONB(), "postgresql")

metadata = MetaData()

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("fingerprint", String(300), nullable=False),
    Column("source", String(100), nullable=False),
    Column("status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("severity_rank", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("service", String(300)),
    Column("resource", String(300)),
    Column("environment", String(200)),
    Column("labels", JSONDocument, nullable=False),
    Column("annotations", JSONDocument, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime),
    Column("received_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("occurrences", Integer, nullable=False),
    Column("flapping", Boolean, nullable=False),
    Column("incident_id", String(40)),
    Column("suppressed_by", String(80)),
    Column("raw", JSONDocument),
    Index("ix_alerts_fingerprint", "fingerprint"),
    Index("ix_alerts_incident_id", "incident_id"),
    Index("ix_alerts_received_at", "received_at", "id"),
    Index("ix_alerts_status_last_seen", "status", "last_seen_at"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("severity_rank", Integer, nullable=False),
    Column("services", JSONDocument, nullable=False),
    Column("environment", String(200)),
    Column("group_key", Text, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("last_joined_at", UTCDateTime, nullable=False),
    Column("alert_count", Integer, nullable=False),
    Column("firing_count", Integer, nullable=False),
    Column("resolved_at", UTCDateTime),
    Column("resolution", String(40)),
    Column("raised_at", UTCDateTime),
    Index("ix_incidents_status_last_seen", "status", "last_seen_at"),
    Index("ix_incidents_last_seen", "last_seen_at", "id"),
)

memberships = Table(
    "incident_alerts",
    metadata,
    Column("incident_id", String(40), ForeignKey("incidents.id"), primary_key=True),
    Column("alert_id", String(40), ForeignKey("alerts.id"), primary_key=True),
    Column("rule", String(60), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", JSONDocument, nullable=False),
    Column("joined_at", UTCDateTime, nullable=False),
    Column("left_at", UTCDateTime),
    Index("ix_incident_alerts_alert_id", "alert_id"),
)

silences = Table(
    "silences",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("matchers", JSONDocument, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("comment", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_silences_ends_at", "ends_at"),
)

# Named JSON documents the platform keeps between restarts: the topology, the correlation
# engine's learned state (co-occurrence, template miner).
documents = Table(
    "documents",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("document", JSONDocument, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Tokens that authenticate a tool sending to an ingest endpoint. Only a hash of the token is kept; the
# signing secret is kept as given, because checking an HMAC signature needs the secret itself.
integration_tokens = Table(
    "integration_tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("integration", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_hint", String(16), nullable=False),
    Column("signing_secret", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Index("ix_integration_tokens_integration", "integration"),
)

# The notification outbox and delivery log: one row per notice to one target (docs/notifications.md).
# The integer id orders the notices of an incident and target, and seeds each row's retry jitter.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", String(40), nullable=False),
    Column("target", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("notice", JSONDocument, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("detail", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Index("ix_notifications_due", "status", "next_attempt_at"),
    Index("ix_notifications_incident", "incident_id", "target", "id"),
)

# What a target answered for an incident (a Jira key, a ServiceNow sys_id), handed back at its next delivery.
notification_references = Table(
    "notification_references",
    metadata,
    Column("incident_id", String(40), primary_key=True),
    Column("target", String(100), primary_key=True),
    Column("reference", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
