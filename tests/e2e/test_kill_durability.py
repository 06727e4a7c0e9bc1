"""An acknowledged alert survives SIGKILL: kill the server mid-stream, restart, find every acknowledged alert."""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy import create_engine, select

from openconductor.store.sql.engine import normalize_url
from openconductor.store.sql.tables import alerts

POSTERS = 3
KILL_AFTER_ACKNOWLEDGED = 150


def _post_until_refused(
    url: str, poster: int, acknowledged: list[str], refused: list[str], stop: threading.Event
) -> None:
    with httpx.Client(timeout=10) as http:
        sequence = 0
        while not stop.is_set():
            fingerprint = f"kill-test-{poster}-{sequence}"
            sequence += 1
            body = [
                {
                    "title": f"disk filling on node-{poster}",
                    "service": f"svc-{sequence % 7}",
                    "environment": "prod",
                    "fingerprint": fingerprint,
                    "labels": {"seq": str(sequence)},
                }
            ]
            try:
                response = http.post(f"{url}/api/v1/alerts", json=body)
            except httpx.HTTPError:
                refused.append(fingerprint)
                return
            if response.status_code == 202:
                acknowledged.append(fingerprint)
            else:
                refused.append(fingerprint)
                return


def test_every_acknowledged_alert_survives_sigkill(server_factory, database_url: str) -> None:  # type: ignore[no-untyped-def]
    acknowledged: list[str] = []
    refused: list[str] = []
    stop = threading.Event()
    with server_factory(database_url) as server:
        posters = [
            threading.Thread(target=_post_until_refused, args=(server.url, n, acknowledged, refused, stop))
            for n in range(POSTERS)
        ]
        for thread in posters:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < KILL_AFTER_ACKNOWLEDGED and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        for thread in posters:
            thread.join(timeout=15)
        stop.set()
        # The stream was still running when the server died: every poster's next request failed.
        assert len(refused) == POSTERS
        assert len(acknowledged) >= KILL_AFTER_ACKNOWLEDGED

        server.start()
        engine = create_engine(normalize_url(database_url))
        with engine.connect() as conn:
            stored = set(conn.execute(select(alerts.c.fingerprint)).scalars())
        engine.dispose()
        missing = [fingerprint for fingerprint in acknowledged if fingerprint not in stored]
        assert missing == [], f"{len(missing)} acknowledged alerts lost, e.g. {missing[:5]}"
        # After the restart the platform keeps working on the same data.
        after = httpx.post(
            f"{server.url}/api/v1/alerts", json={"title": "after restart", "fingerprint": acknowledged[0]}
        )
        assert after.status_code == 202
        assert after.json()["alerts"][0]["change"] == "repeat"
