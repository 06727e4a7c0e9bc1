"""Icinga 2 notifications, as contrib/icinga2/openconductor-notify posts them from a NotificationCommand.

The same format and mapping as Nagios (nagios.py), with Icinga 2's names: `service_name` is the
service object's name, the fingerprint is `icinga2:<host>!<service>` (Icinga 2's own full name of the
service object), and the link back goes to the host or service page of Icinga DB Web.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from openconductor.core.models import AlertEvent
from openconductor.ingest.base import IntegrationInfo
from openconductor.ingest.fields import join_url
from openconductor.ingest.integrations.nagios import Dialect, parse_notification

INFO = IntegrationInfo(
    slug="icinga2",
    name="Icinga 2",
    docs="docs/integrations/icinga2.md",
    quality="gold",
    maps="notification.type/state -> status and severity; host.name -> resource; host!service -> fingerprint; "
    "output, acknowledgement author/comment, a link to Icinga Web 2",
)

ONE_ALERT_PER_REQUEST = "Icinga 2 runs the NotificationCommand once per notification and user, and each run posts one"


def _icingaweb_link(base: str, host: str, service: str | None) -> str:
    # Icinga DB Web's detail pages; the older monitoring module is being retired.
    if service is None:
        return join_url(base, f"icingadb/host?name={quote(host, safe='')}")
    return join_url(base, f"icingadb/service?name={quote(service, safe='')}&host.name={quote(host, safe='')}")


ICINGA2 = Dialect(source="icinga2", service_key="service_name", ui_key="icingaweb2_url", link=_icingaweb_link)


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    return [parse_notification(payload, received_at=received_at, dialect=ICINGA2)]
