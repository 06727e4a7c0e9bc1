"""Azure Monitor alerts in the common alert schema (action group webhook): essentials, alert context kept.

Status from monitorCondition, severity from Sev0..Sev4, the alert instance's `alertId` as fingerprint;
the target resource id gives subscription, resource group, provider, type and name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    IntegrationInfo,
    ProblemCollector,
    bounded_fingerprint,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import first_label_name

INFO = IntegrationInfo(
    slug="azure_monitor",
    name="Azure Monitor",
    docs="docs/integrations/azure_monitor.md",
    quality="gold",
    maps="essentials: alertId (fingerprint), alertRule, severity Sev0-Sev4, monitorCondition, fired/resolvedDateTime, "
    "target resource id -> subscription/resource group/provider/name; customProperties and dimensions as labels",
)

ONE_ALERT_PER_REQUEST = "an Azure Monitor action group calls the webhook once per alert"
SCHEMA_ID = "azureMonitorCommonAlertSchema"
# Azure's scale runs the other way from the shared table's sevN words: Sev0 is Critical, Sev4 Verbose.
SEVERITIES = {
    "sev0": Severity.CRITICAL,
    "sev1": Severity.HIGH,
    "sev2": Severity.WARNING,
    "sev3": Severity.INFO,
    "sev4": Severity.INFO,
}
CONDITIONS = {"fired": AlertStatus.FIRING, "resolved": AlertStatus.RESOLVED}
SERVICE_PROPERTIES = ("service", "app", "application")
ENVIRONMENT_PROPERTIES = ("environment", "env", "stage")
PORTAL_RESOURCE_URL = "https://portal.azure.com/#@/resource"
_PREFIX = "azure_monitor:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="an Azure Monitor alert in the common alert schema")
    schema = body.get("schemaId")
    if schema is not None and schema != SCHEMA_ID:
        expected = f"{SCHEMA_ID} (enable the common alert schema on the action group's webhook)"
        raise InvalidPayload([FieldProblem("schemaId", expected, describe(schema))])
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise InvalidPayload([FieldProblem("data", "an object with essentials and alertContext", describe(data))])
    essentials = data.get("essentials")
    if not isinstance(essentials, Mapping):
        raise InvalidPayload([FieldProblem("data.essentials", "an object", describe(essentials))])

    check = ProblemCollector("data.essentials.")
    alert_id = check.text(essentials, "alertId", required=True)
    rule = check.text(essentials, "alertRule") or ""
    severity_word = check.text(essentials, "severity") or ""
    condition = (check.text(essentials, "monitorCondition") or "Fired").strip().lower()
    if condition not in CONDITIONS:
        check.add("monitorCondition", "one of Fired, Resolved", essentials.get("monitorCondition"))
    texts = {
        key: check.text(essentials, key) or ""
        for key in (
            "signalType",
            "monitoringService",
            "originAlertId",
            "description",
            "essentialsVersion",
            "alertContextVersion",
            "investigationLink",
            "targetResourceType",
            "targetResourceGroup",
        )
    }
    rule_id = check.text(essentials, "alertRuleID") or check.text(essentials, "alertRuleId") or ""
    targets = _strings(check, essentials, "alertTargetIDs")
    items = _strings(check, essentials, "configurationItems")
    fired_at = check.timestamp(essentials, "firedDateTime")
    resolved_at = check.timestamp(essentials, "resolvedDateTime")
    custom = ProblemCollector("data.")
    properties = custom.string_map(data, "customProperties")
    check.problems.extend(custom.problems)

    target = parse_resource_id(targets[0]) if targets else {}
    resource = items[0] if items else target.get("resource_name")
    service_key = first_label_name(properties, SERVICE_PROPERTIES)
    environment_key = first_label_name(properties, ENVIRONMENT_PROPERTIES)
    service = properties[service_key] if service_key else target.get("resource_group") or texts["targetResourceGroup"]
    environment = properties[environment_key] if environment_key else None
    identity = ProblemCollector("data.")
    for field, value, where in (
        ("resource", resource, "essentials.configurationItems[0]" if items else "essentials.alertTargetIDs[0]"),
        ("service", service, f"customProperties.{service_key}" if service_key else "essentials.alertTargetIDs[0]"),
        ("environment", environment, f"customProperties.{environment_key}"),
    ):
        if value:
            identity.within(where, value, IDENTITY_LIMITS[field])
    check.problems.extend(identity.problems)
    check.raise_if_any()
    assert alert_id is not None

    context = data.get("alertContext")
    context = context if isinstance(context, Mapping) else {}
    labels = {
        **{f"dimension.{name}": value for name, value in _dimensions(context).items()},
        **properties,
        **target,
        "alert_rule": rule,
        "signal_type": texts["signalType"],
        "monitoring_service": texts["monitoringService"],
    }
    annotations = {
        "alert_id": alert_id,
        "alert_rule_id": rule_id,
        "origin_alert_id": texts["originAlertId"],
        "severity": severity_word,
        "alert_targets": ", ".join(targets),
        "configuration_items": ", ".join(items),
        "resource_url": f"{PORTAL_RESOURCE_URL}{targets[0]}" if targets and targets[0].startswith("/") else "",
        "investigation_url": texts["investigationLink"],
        "essentials_version": texts["essentialsVersion"],
        "alert_context_version": texts["alertContextVersion"],
        **_context_annotations(context),
    }
    status = CONDITIONS.get(condition, AlertStatus.FIRING)
    return [
        build_event(
            source="azure_monitor",
            status=status,
            severity=SEVERITIES.get(severity_word.strip().lower(), Severity.UNKNOWN),
            title=rule.strip() or "Azure Monitor alert",
            description=texts["description"],
            service=service or None,
            resource=resource or None,
            environment=environment,
            labels={key: value for key, value in labels.items() if value},
            annotations={key: value for key, value in annotations.items() if value},
            starts_at=fired_at,
            ends_at=(resolved_at or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=bounded_fingerprint(_PREFIX, alert_id),
            received_at=received_at,
            raw=body,
        )
    ]


def parse_resource_id(resource_id: str) -> dict[str, str]:
    """The parts of an Azure Resource Manager id, for example
    `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>`
    (Azure sends the segment names in any case). Parts that are not there are left out."""
    segments = [segment for segment in resource_id.split("/") if segment]
    lowered = [segment.lower() for segment in segments]
    parts: dict[str, str] = {}
    for marker, name in (("subscriptions", "subscription_id"), ("resourcegroups", "resource_group")):
        if marker in lowered and lowered.index(marker) + 1 < len(segments):
            parts[name] = segments[lowered.index(marker) + 1]
    if "providers" in lowered:
        # The last `providers` segment: ids of nested resources repeat it.
        start = len(lowered) - 1 - lowered[::-1].index("providers")
        rest = segments[start + 1 :]
        if rest:
            parts["resource_provider"] = rest[0]
        if len(rest) >= 3:
            parts["resource_type"] = "/".join([rest[0], *rest[1:-1:2]])
            parts["resource_name"] = rest[-1]
    elif "resource_group" in parts and lowered[-2:-1] == ["resourcegroups"]:
        parts["resource_name"] = parts["resource_group"]
    return parts


def _strings(check: ProblemCollector, obj: Mapping[str, Any], key: str) -> list[str]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        check.add(key, "an array of strings", value)
        return []
    result = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            result.append(item)
        else:
            check.add(f"{key}[{index}]", "a string", item)
    return result


def _criteria(context: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The conditions of a metric or log search alert's context (`condition.allOf`), objects only."""
    condition = context.get("condition")
    all_of = condition.get("allOf") if isinstance(condition, Mapping) else None
    return [item for item in all_of if isinstance(item, Mapping)] if isinstance(all_of, list) else []


def _dimensions(context: Mapping[str, Any]) -> dict[str, str]:
    """Dimension name -> value of the alert (which VM, which Computer): they tell the alerts of one rule apart.

    The alert context varies by monitoring service and is not checked; what is not as documented is skipped
    (it stays in `raw`)."""
    found: dict[str, str] = {}
    lists = [criterion.get("dimensions") for criterion in _criteria(context)] + [context.get("Dimensions")]
    for dimensions in lists:
        for item in dimensions if isinstance(dimensions, list) else []:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str) and _scalar(item.get("value")):
                found[item["name"]] = str(item["value"])
    return found


def _context_annotations(context: Mapping[str, Any]) -> dict[str, str]:
    """A readable summary of the alert context: the conditions, the search results link, the activity."""
    summary = []
    for criterion in _criteria(context):
        what = criterion.get("metricName") or criterion.get("searchQuery")
        parts = [criterion.get(key) for key in ("operator", "threshold")]
        shown = " ".join(str(part) for part in (what, *parts) if _scalar(part) and part != "")
        if _scalar(criterion.get("metricValue")):
            shown = f"{shown} (value {criterion['metricValue']})".strip()
        if shown:
            summary.append(shown)
    link = next(
        (
            value
            for source in [*_criteria(context), context]
            for key in ("linkToFilteredSearchResultsUI", "LinkToFilteredSearchResultsUI", "LinkToSearchResults")
            if isinstance(value := source.get(key), str) and value
        ),
        "",
    )
    activity = {
        name: str(context[key])
        for key, name in (("operationName", "operation_name"), ("status", "activity_status"), ("caller", "caller"))
        if _scalar(context.get(key))
    }
    return {"condition": "; ".join(summary), "search_results_url": link, **activity}


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)
