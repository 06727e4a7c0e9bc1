"""SqlStore.apply writes driver SQL with pre-converted values; what it stores must be what SQLAlchemy's
typed statements stored: same values read back, same datetime text on SQLite, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from openconductor.core.changes import ChangeSet, Departure
from openconductor.core.errors import StoreUnavailable
from openconductor.core.models import Alert, AlertStatus, Incident, IncidentStatus, Membership, Severity
from openconductor.store.sql import rows
from openconductor.store.sql.engine import make_engine
from openconductor.store.sql.migrate import upgrade
from openconductor.store.sql.repository import SqlStore
from openconductor.store.sql.tables import alerts, incidents, memberships

T0 = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = make_engine(database_url)
    upgrade(created)
    yield created
    created.dispose()


def make_incident(incident_id: str, **overrides: Any) -> Incident:
    values: dict[str, Any] = {
        "id": incident_id,
        "title": "disk full on billing-db",
        "status": IncidentStatus.OPEN,
        "severity": Severity.HIGH,
        "services": {"billing-db", "café"},
        "environment": "prod",
        "group_key": "service=billing-db",
        "first_seen_at": T0,
        "last_seen_at": T0 + timedelta(seconds=1, microseconds=250),
        "last_joined_at": T0,
        "alert_count": 1,
        "firing_count": 1,
    }
    return Incident(**(values | overrides))


def make_alert(alert_id: str, **overrides: Any) -> Alert:
    values: dict[str, Any] = {
        "id": alert_id,
        "fingerprint": f"fp-{alert_id}",
        "source": "generic",
        "status": AlertStatus.FIRING,
        "severity": Severity.CRITICAL,
        "title": "Disk full — /var",
        "description": 'naïve text, quotes " and a backslash \\',
        "service": "billing-db",
        "resource": None,
        "environment": "prod",
        "labels": {"host": "db-1", "zone": "eu-west-1a"},
        "annotations": {},
        # Not UTC: stored as the same instant in UTC, as UTCDateTime did.
        "starts_at": (T0 - timedelta(minutes=5)).astimezone(PLUS_TWO),
        "ends_at": None,
        "received_at": T0,
        "last_seen_at": T0 + timedelta(microseconds=7),
        "raw": {"nested": [1, 2.5, {"deep": None, "ok": True}], "text": "ünïcode"},
    }
    return Alert(**(values | overrides))


def typed_write(engine: Engine, changes: ChangeSet) -> None:
    """The reference: SQLAlchemy's own typed inserts of the same objects."""
    with engine.begin() as conn:
        conn.execute(incidents.insert(), [rows.incident_row(i) for i in changes.new_incidents.values()])
        conn.execute(alerts.insert(), [rows.alert_row(a) for a in changes.new_alerts.values()])
        conn.execute(memberships.insert(), [rows.membership_row(m) for m in changes.memberships])


def stored(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(select(table).order_by(*table.primary_key))]
            for table in (incidents, alerts, memberships)
        }


def batch(suffix: str, *, raw: Any = None) -> ChangeSet:
    changes = ChangeSet()
    incident = make_incident(f"inc_{suffix}")
    alert = make_alert(f"alt_{suffix}", incident_id=incident.id, raw=raw)
    changes.incident_added(incident)
    changes.alert_added(alert)
    changes.memberships.append(
        Membership(
            incident_id=incident.id,
            alert_id=alert.id,
            rule="service",
            score=0.75,
            evidence={"links": [{"kind": "topology", "weight": 0.5}], "note": "ø"},
            joined_at=T0,
        )
    )
    return changes


@pytest.mark.parametrize("raw", [None, {"a": [1, {"b": "ü"}]}, "plain text"])
def test_apply_stores_what_typed_statements_store(engine: Engine, raw: Any) -> None:
    store = SqlStore(engine)
    store.apply(batch("fast", raw=raw))
    fast = stored(engine)
    with engine.begin() as conn:
        for table in (memberships, alerts, incidents):
            conn.execute(table.delete())
    typed_write(engine, batch("fast", raw=raw))
    assert stored(engine) == fast


def test_sqlite_datetime_text_is_sqlalchemys(tmp_path: Path) -> None:
    """SQLite keeps datetimes as text and queries compare that text: it must be SQLAlchemy's, exactly."""
    engine = make_engine(f"sqlite:///{tmp_path / 'text.db'}")
    upgrade(engine)
    SqlStore(engine).apply(batch("fast"))
    typed_write(engine, batch("typed"))
    columns = "starts_at, ends_at, received_at, last_seen_at"
    with engine.connect() as conn:
        fast, typed = conn.exec_driver_sql(f"SELECT {columns} FROM alerts ORDER BY id").all()
    assert fast == typed
    assert fast[0] == "2026-01-05 09:55:00.000000"
    engine.dispose()


def test_naive_datetimes_are_taken_as_utc() -> None:
    naive = datetime(2026, 1, 5, 10, 0, 0, 5)
    assert rows.sqlite_time(naive) == "2026-01-05 10:00:00.000005"
    assert rows.sqlite_time(naive.replace(tzinfo=PLUS_TWO)) == "2026-01-05 08:00:00.000005"
    assert rows.postgres_time(naive) == naive.replace(tzinfo=UTC)
    assert rows.sqlite_time(None) is None and rows.postgres_time(None) is None


def test_updates_departures_and_replaced_memberships(engine: Engine) -> None:
    store = SqlStore(engine)
    store.apply(batch("one"))
    alert = store.get_alert("alt_one")
    incident = store.get_incident("inc_one")
    assert alert is not None and incident is not None
    alert.status = AlertStatus.RESOLVED
    alert.ends_at = T0 + timedelta(minutes=3)
    alert.last_seen_at = T0 + timedelta(minutes=3)
    alert.occurrences = 4
    alert.flapping = True
    alert.severity = Severity.WARNING
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = T0 + timedelta(minutes=3)
    incident.resolution = "all alerts resolved"
    incident.services = {"zeta", "alpha"}
    incident.raised_at = T0
    changes = ChangeSet()
    changes.alert_changed(alert)
    changes.incident_changed(incident)
    changes.departures.append(Departure(incident_id="inc_one", alert_id="alt_one", left_at=T0 + timedelta(minutes=4)))
    store.apply(changes)
    assert store.get_alert("alt_one") == alert
    assert store.get_incident("inc_one") == incident
    assert store.incident_members("inc_one") == []
    with engine.connect() as conn:
        left_at = conn.execute(select(memberships.c.left_at)).scalar_one()
    assert left_at == T0 + timedelta(minutes=4)

    # Moving the alert back replaces the old membership row instead of adding a second one.
    back = ChangeSet()
    back.replaced_memberships.append(("inc_one", "alt_one"))
    back.memberships.append(
        Membership(incident_id="inc_one", alert_id="alt_one", rule="manual", score=1.0, evidence={}, joined_at=T0)
    )
    store.apply(back)
    members = store.incident_members("inc_one")
    assert [(m.rule, m.score) for _alert, m in members] == [("manual", 1.0)]


def test_a_failed_batch_writes_nothing_and_says_store_unavailable(engine: Engine) -> None:
    store = SqlStore(engine)
    changes = batch("one")
    # A second row with the same alert id fails the whole transaction.
    changes.new_alerts["duplicate"] = make_alert("alt_one")
    with pytest.raises(StoreUnavailable):
        store.apply(changes)
    assert store.counts() == {"alerts": 0, "incidents": 0}


def test_documents_round_trip_through_the_engines_json(engine: Engine) -> None:
    store = SqlStore(engine)
    document = {"pairs": [["a", "b", 3]], "weights": {"x": 0.125}, "text": "ünï", "n": 2**62}
    store.save_document("learned", document)
    assert store.load_document("learned") == document
    # What orjson refuses (integer keys) is still stored, by the standard library, as JSON did before.
    store.save_document("learned", {1: "one"})  # type: ignore[dict-item]
    assert store.load_document("learned") == {"1": "one"}


def test_the_batch_time_converter_answers_like_sqlite_time() -> None:
    when = rows.sqlite_times()
    values = [T0, T0.astimezone(PLUS_TWO), datetime(2026, 1, 5, 10), T0 + timedelta(microseconds=1), None, T0]
    assert [when(v) for v in values] == [rows.sqlite_time(v) for v in values]


def test_an_alert_joining_an_incident_it_left_keeps_one_row_with_its_latest_joining(engine: Engine) -> None:
    store = SqlStore(engine)
    store.apply(batch("one"))
    store.apply(ChangeSet(departures=[Departure("inc_one", "alt_one", T0 + timedelta(minutes=5))]))
    rejoined = Membership(
        incident_id="inc_one", alert_id="alt_one", rule="template_storm", score=0.99, evidence={}, joined_at=T0
    )
    store.apply(ChangeSet(memberships=[rejoined]))  # no replaced_memberships: the store must not fail
    rows_now = stored(engine)["incident_alerts"]
    assert [(r["rule"], r["score"], r["left_at"]) for r in rows_now] == [("template_storm", 0.99, None)]


def test_an_alert_that_left_and_rejoined_in_one_write_is_a_member_again(engine: Engine) -> None:
    store = SqlStore(engine)
    store.apply(batch("one"))
    later = ChangeSet(
        departures=[Departure("inc_one", "alt_one", T0 + timedelta(minutes=5))],
        memberships=[
            Membership(
                incident_id="inc_one",
                alert_id="alt_one",
                rule="template_storm",
                score=0.99,
                evidence={},
                joined_at=T0 + timedelta(minutes=9),
            )
        ],
    )
    store.apply(later)  # one write holding both, as the replay's gathered writes do
    rows_now = stored(engine)["incident_alerts"]
    assert [(r["rule"], r["left_at"]) for r in rows_now] == [("template_storm", None)]


def test_an_alert_that_joined_and_left_in_one_write_keeps_its_leave_time(engine: Engine) -> None:
    store = SqlStore(engine)
    changes = batch("one")
    changes.departures.append(Departure("inc_one", "alt_one", T0 + timedelta(minutes=5)))
    store.apply(changes)
    assert [r["left_at"] is not None for r in stored(engine)["incident_alerts"]] == [True]
