"""The SQL store: persists change sets in one transaction and answers the list and detail queries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Dialect,
    Engine,
    Select,
    String,
    Table,
    and_,
    cast,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from openconductor.core.changes import ChangeSet, Departure
from openconductor.core.errors import StoreUnavailable
from openconductor.core.models import Alert, Incident, Membership
from openconductor.core.queries import ListQuery, Page, decode_cursor, encode_cursor
from openconductor.core.silences import Silence
from openconductor.core.timeutil import parse_rfc3339, utcnow
from openconductor.core.tokens import IntegrationToken
from openconductor.store.ports import OutboxWrites
from openconductor.store.sql import rows
from openconductor.store.sql.engine import bulk_connections
from openconductor.store.sql.outbox import OutboxQueries, write_outbox
from openconductor.store.sql.tables import alerts, documents, incidents, integration_tokens, memberships, silences

_SORT_COLUMN = {"severity": "severity_rank"}


@dataclass(frozen=True, slots=True)
class _BatchWrites:
    """The batch statements of `apply` as driver SQL for one database, and how values are passed to it."""

    insert_alert: str
    insert_incident: str
    insert_membership: str
    update_alert: str
    update_incident: str
    depart: str
    delete_membership: str
    # A fresh datetime converter per batch (it may remember the batch's values), and the JSON encoder.
    times: Callable[[], rows.When]
    doc: rows.Doc

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> _BatchWrites:
        if dialect.paramstyle == "qmark":
            mark, json_mark = "?", "?"
        elif dialect.paramstyle in ("format", "pyformat"):
            mark, json_mark = "%s", "%s::jsonb" if dialect.name == "postgresql" else "%s"
        else:
            raise ValueError(f"unsupported DBAPI paramstyle {dialect.paramstyle!r}")
        quote = dialect.identifier_preparer.quote

        def marker(table: Table, column: str) -> str:
            return json_mark if isinstance(table.c[column].type, JSON) else mark

        def insert(table: Table, columns: Sequence[str]) -> str:
            names = ", ".join(quote(c) for c in columns)
            marks = ", ".join(marker(table, c) for c in columns)
            return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"

        def update_by(table: Table, columns: Sequence[str], keys: Sequence[str]) -> str:
            sets = ", ".join(f"{quote(c)} = {marker(table, c)}" for c in columns)
            where = " AND ".join(f"{quote(k)} = {mark}" for k in keys)
            return f"UPDATE {quote(table.name)} SET {sets} WHERE {where}"

        for table, columns in (
            (alerts, rows.ALERT_COLUMNS),
            (incidents, rows.INCIDENT_COLUMNS),
            (memberships, rows.MEMBERSHIP_COLUMNS),
        ):
            if tuple(table.c.keys()) != columns:
                raise RuntimeError(f"rows.py lists the columns of {table.name} out of date")
        sqlite = dialect.name == "sqlite"
        return cls(
            insert_alert=insert(alerts, rows.ALERT_COLUMNS),
            insert_incident=insert(incidents, rows.INCIDENT_COLUMNS),
            # An alert may join an incident it left before (it left when its incident resolved, and came
            # back when the incident reopened): the row then holds its latest joining, never a key error.
            insert_membership=insert(memberships, rows.MEMBERSHIP_COLUMNS)
            + f" ON CONFLICT ({quote('incident_id')}, {quote('alert_id')}) DO UPDATE SET "
            + ", ".join(
                f"{quote(c)} = excluded.{quote(c)}"
                for c in rows.MEMBERSHIP_COLUMNS
                if c not in ("incident_id", "alert_id")
            ),
            update_alert=update_by(alerts, rows.ALERT_MUTABLE, ["id"]),
            update_incident=update_by(incidents, rows.INCIDENT_MUTABLE, ["id"]),
            depart=update_by(memberships, ["left_at"], ["incident_id", "alert_id"]),
            delete_membership=(
                f"DELETE FROM {quote(memberships.name)} WHERE {quote('incident_id')} = {mark}"
                f" AND {quote('alert_id')} = {mark}"
            ),
            times=rows.sqlite_times if sqlite else lambda: rows.postgres_time,
            doc=rows.dump_json,
        )


class SqlStore(OutboxQueries):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = _BatchWrites.for_dialect(engine.dialect)

    # -- writing -------------------------------------------------------------------------------

    def apply(self, changes: ChangeSet, notifications: OutboxWrites | None = None) -> None:
        if changes.is_empty() and not notifications:
            return
        try:
            self._apply(changes, notifications)
        except DBAPIError as error:
            raise StoreUnavailable(f"database write failed: {type(error.orig).__name__}") from error

    def _apply(self, changes: ChangeSet, notifications: OutboxWrites | None) -> None:
        # Plain SQL and tuples already in the driver's form: SQLAlchemy neither compiles the statement
        # nor processes each row (see rows.alert_values). Same statements, order and one transaction.
        w = self._writes
        when, doc = w.times(), w.doc
        with self.engine.begin() as conn:
            if changes.replaced_memberships:
                conn.exec_driver_sql(w.delete_membership, [(i, a) for i, a in changes.replaced_memberships])
            if changes.new_incidents:
                conn.exec_driver_sql(
                    w.insert_incident, [rows.incident_values(i, when, doc) for i in changes.new_incidents.values()]
                )
            if changes.new_alerts:
                conn.exec_driver_sql(
                    w.insert_alert, [rows.alert_values(a, when, doc) for a in changes.new_alerts.values()]
                )
            if changes.dirty_alerts:
                conn.exec_driver_sql(
                    w.update_alert, [rows.alert_update_values(a, when) for a in changes.dirty_alerts.values()]
                )
            if changes.dirty_incidents:
                conn.exec_driver_sql(
                    w.update_incident,
                    [rows.incident_update_values(i, when, doc) for i in changes.dirty_incidents.values()],
                )
            if changes.memberships:
                conn.exec_driver_sql(
                    w.insert_membership, [rows.membership_values(m, when, doc) for m in changes.memberships]
                )
            departures = _still_departed(changes)
            if departures:
                conn.exec_driver_sql(w.depart, [(when(d.left_at), d.incident_id, d.alert_id) for d in departures])
            if notifications:
                write_outbox(conn, notifications)

    def bulk_writes(self) -> AbstractContextManager[None]:
        return bulk_connections(self.engine)

    def save_incident(self, incident: Incident) -> None:
        row = rows.incident_row(incident)
        with self.engine.begin() as conn:
            conn.execute(update(incidents).where(incidents.c.id == incident.id).values(**row))

    # -- reading -------------------------------------------------------------------------------

    def load_working_set(self, *, since: datetime) -> tuple[list[Alert], list[Incident]]:
        with self.engine.connect() as conn:
            alert_rows = conn.execute(
                select(alerts).where(or_(alerts.c.status == "firing", alerts.c.last_seen_at >= since))
            ).all()
            incident_rows = conn.execute(
                select(incidents).where(or_(incidents.c.status != "resolved", incidents.c.resolved_at >= since))
            ).all()
        return [rows.alert_from_row(r) for r in alert_rows], [rows.incident_from_row(r) for r in incident_rows]

    def get_alert(self, alert_id: str) -> Alert | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        return rows.alert_from_row(row) if row else None

    def get_incident(self, incident_id: str) -> Incident | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
        return rows.incident_from_row(row) if row else None

    def list_alerts(self, query: ListQuery) -> Page[Alert]:
        conditions = _common_filters(alerts, query)
        if query.sources:
            conditions.append(alerts.c.source.in_(query.sources))
        if query.incident_id:
            conditions.append(alerts.c.incident_id == query.incident_id)
        if query.text:
            pattern = f"%{_literal(query.text.lower())}%"
            conditions.append(
                or_(
                    func.lower(alerts.c.title).like(pattern, escape="\\"),
                    func.lower(alerts.c.description).like(pattern, escape="\\"),
                )
            )
        if query.since:
            conditions.append(alerts.c.last_seen_at >= query.since)
        if query.until:
            conditions.append(alerts.c.starts_at <= query.until)
        return self._page(alerts, select(alerts), conditions, query, rows.alert_from_row)

    def list_incidents(self, query: ListQuery) -> Page[Incident]:
        conditions = _common_filters(incidents, query)
        if query.services:
            # Services is a JSON list; match any listed service through its text form, on both backends.
            conditions.append(
                or_(
                    *(
                        func.lower(_json_text(incidents.c.services)).like(f'%"{_literal(s.lower())}"%', escape="\\")
                        for s in query.services
                    )
                )
            )
        if query.text:
            conditions.append(func.lower(incidents.c.title).like(f"%{_literal(query.text.lower())}%", escape="\\"))
        if query.since:
            conditions.append(incidents.c.last_seen_at >= query.since)
        if query.until:
            conditions.append(incidents.c.first_seen_at <= query.until)
        if query.raised is not None:
            raised_at = incidents.c.raised_at
            conditions.append(raised_at.is_not(None) if query.raised else raised_at.is_(None))
        return self._page(incidents, select(incidents), conditions, query, rows.incident_from_row)

    def incident_members(self, incident_id: str) -> list[tuple[Alert, Membership]]:
        statement = (
            select(
                alerts,
                memberships.c.rule,
                memberships.c.score,
                memberships.c.evidence,
                memberships.c.joined_at,
                memberships.c.incident_id.label("m_incident_id"),
            )
            .join(memberships, memberships.c.alert_id == alerts.c.id)
            .where(memberships.c.incident_id == incident_id, memberships.c.left_at.is_(None))
            .order_by(memberships.c.joined_at, alerts.c.id)
        )
        with self.engine.connect() as conn:
            result = conn.execute(statement).all()
        members = []
        for row in result:
            data = row._mapping
            membership = Membership(
                incident_id=data["m_incident_id"],
                alert_id=data["id"],
                rule=data["rule"],
                score=data["score"],
                evidence=data["evidence"] or {},
                joined_at=data["joined_at"],
            )
            members.append((rows.alert_from_row(row), membership))
        return members

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "alerts": conn.execute(select(func.count()).select_from(alerts)).scalar_one(),
                "incidents": conn.execute(select(func.count()).select_from(incidents)).scalar_one(),
            }

    # -- silences ------------------------------------------------------------------------------

    def save_silence(self, silence: Silence) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(silences.insert().values(**rows.silence_row(silence)))
        except DBAPIError as error:
            raise StoreUnavailable(f"database write failed: {type(error.orig).__name__}") from error

    def list_silences(self, *, active_at: datetime | None, include_expired: bool) -> list[Silence]:
        statement = select(silences)
        if active_at is not None:
            statement = statement.where(silences.c.starts_at <= active_at, silences.c.ends_at > active_at)
        elif not include_expired:
            statement = statement.where(silences.c.ends_at > utcnow())
        with self.engine.connect() as conn:
            result = conn.execute(statement.order_by(silences.c.starts_at, silences.c.id)).all()
        return [rows.silence_from_row(row) for row in result]

    def get_silence(self, silence_id: str) -> Silence | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(silences).where(silences.c.id == silence_id)).first()
        return rows.silence_from_row(row) if row else None

    def expire_silence(self, silence_id: str, at: datetime) -> Silence | None:
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(silences).where(silences.c.id == silence_id).with_for_update()).first()
                if row is None:
                    return None
                ended = rows.silence_from_row(row).expired(at)
                conn.execute(
                    update(silences)
                    .where(silences.c.id == silence_id)
                    .values(starts_at=ended.starts_at, ends_at=ended.ends_at)
                )
        except DBAPIError as error:
            raise StoreUnavailable(f"database write failed: {type(error.orig).__name__}") from error
        return ended

    # -- integration tokens --------------------------------------------------------------------

    def save_token(self, token: IntegrationToken) -> None:
        values = {field: getattr(token, field) for field in IntegrationToken.__dataclass_fields__}
        try:
            with self.engine.begin() as conn:
                conn.execute(integration_tokens.insert().values(**values))
        except DBAPIError as error:
            raise StoreUnavailable(f"database write failed: {type(error.orig).__name__}") from error

    def list_tokens(self) -> list[IntegrationToken]:
        statement = select(integration_tokens).order_by(integration_tokens.c.created_at, integration_tokens.c.id)
        with self.engine.connect() as conn:
            return [IntegrationToken(**row._mapping) for row in conn.execute(statement)]

    def revoke_token(self, token_id: str, *, integration: str, at: datetime) -> IntegrationToken | None:
        try:
            with self.engine.begin() as conn:
                where = (integration_tokens.c.id == token_id) & (integration_tokens.c.integration == integration)
                row = conn.execute(select(integration_tokens).where(where).with_for_update()).first()
                if row is None:
                    return None
                token = IntegrationToken(**row._mapping)
                if token.revoked_at is None:
                    token = token.revoked(at)
                    conn.execute(update(integration_tokens).where(where).values(revoked_at=at))
        except DBAPIError as error:
            raise StoreUnavailable(f"database write failed: {type(error.orig).__name__}") from error
        return token

    def load_document(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            document = conn.execute(select(documents.c.document).where(documents.c.name == name)).scalar()
        return document if isinstance(document, dict) else None

    def save_document(self, name: str, document: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            updated = conn.execute(
                update(documents).where(documents.c.name == name).values(document=document, updated_at=utcnow())
            )
            if updated.rowcount == 0:
                conn.execute(documents.insert().values(name=name, document=document, updated_at=utcnow()))

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()

    def _page(
        self,
        table: Table,
        statement: Select[Any],
        conditions: list[ColumnElement[bool]],
        query: ListQuery,
        convert: Any,
    ) -> Page[Any]:
        column = table.c[_SORT_COLUMN.get(query.sort_field, query.sort_field)]
        if query.cursor:
            value, last_id = decode_cursor(query.cursor, query.sort)
            if isinstance(value, str) and query.sort_field.endswith("_at"):
                value = parse_rfc3339(value)
            if query.descending:
                conditions.append(or_(column < value, and_(column == value, table.c.id < last_id)))
            else:
                conditions.append(or_(column > value, and_(column == value, table.c.id > last_id)))
        order = (column.desc(), table.c.id.desc()) if query.descending else (column.asc(), table.c.id.asc())
        statement = statement.where(*conditions).order_by(*order).limit(query.limit + 1)
        with self.engine.connect() as conn:
            result = conn.execute(statement).all()
        items = [convert(row) for row in result[: query.limit]]
        next_cursor = None
        if len(result) > query.limit:
            last = result[query.limit - 1]._mapping
            next_cursor = encode_cursor(query.sort, last[column.name], last["id"])
        return Page(items=items, next_cursor=next_cursor)


def _common_filters(table: Table, query: ListQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.statuses:
        conditions.append(table.c.status.in_(query.statuses))
    if query.severities:
        conditions.append(table.c.severity.in_(query.severities))
    if query.environments:
        conditions.append(table.c.environment.in_(query.environments))
    if query.services and "service" in table.c:
        conditions.append(table.c.service.in_(query.services))
    return conditions


def _literal(text: str) -> str:
    """Make LIKE's wildcards in user text match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_text(column: Any) -> Any:
    return cast(column, String)


def _still_departed(changes: ChangeSet) -> list[Departure]:
    """The departures to mark: memberships are written before departures, so one an alert made later by
    rejoining the same incident (joined after it left) must not be marked as left."""
    if not changes.departures:
        return []
    rejoined: dict[tuple[str, str], datetime] = {}
    for membership in changes.memberships:
        key = (membership.incident_id, membership.alert_id)
        if key not in rejoined or membership.joined_at > rejoined[key]:
            rejoined[key] = membership.joined_at
    return [
        departure
        for departure in changes.departures
        if not (
            (joined := rejoined.get((departure.incident_id, departure.alert_id))) is not None
            and joined > departure.left_at
        )
    ]
