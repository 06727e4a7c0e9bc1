"""AWS CloudWatch alarms delivered by an Amazon SNS HTTP/HTTPS subscription: one alert per alarm state change.

The SNS envelope's signature is verified (versions 1 and 2) and subscription confirmations are answered; the
Notification's Message is the alarm, ALARM -> firing, OK -> resolved, keyed by its AlarmArn.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from openconductor.core.errors import FieldProblem, InvalidPayload, Unauthenticated
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    ControlReply,
    IncomingRequest,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    reject_unstorable,
    require_object,
)
from openconductor.ingest.fields import conventional_identity, first_line

INFO = IntegrationInfo(
    slug="cloudwatch",
    name="AWS CloudWatch alarms (Amazon SNS)",
    docs="docs/integrations/cloudwatch.md",
    quality="gold",
    maps="NewStateValue, AlarmArn, AlarmName/Description, NewStateReason, StateChangeTime, Trigger metric and "
    "dimensions (service, resource, environment), account and region; console link; SNS signature",
)

ONE_ALERT_PER_REQUEST = "SNS delivers one message, holding one alarm state change, per request"

SOURCE = "cloudwatch"
_FINGERPRINT_PREFIX = "cloudwatch:"
STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
# The dimensions that name what an alarm watches, most specific first; the first present wins.
RESOURCE_DIMENSIONS = (
    "InstanceId", "DBInstanceIdentifier", "DBClusterIdentifier", "FunctionName", "LoadBalancer", "LoadBalancerName",
    "TargetGroup", "QueueName", "TopicName", "TableName", "BucketName", "CacheClusterId", "StreamName",
    "DeliveryStreamName", "DomainName", "VolumeId", "NatGatewayId", "AutoScalingGroupName", "ClusterName", "ApiName",
    "Host", "host",
)  # fmt: skip
SERVICE_DIMENSIONS = ("ServiceName", "Service", "service", "Application", "application", "app")
ENVIRONMENT_DIMENSIONS = ("Environment", "environment", "Env", "env", "Stage", "stage")
AWS_NAMESPACE_PREFIX = "AWS/"
# Elastic Load Balancing dimensions: `app/orders-api-prod/50dc6c495c0c9188` (type, name, id); the name is what
# people call the load balancer, and what their other tools call the service behind it.
_LOAD_BALANCER = re.compile(r"(?:app|net|gwy|targetgroup)/(?P<name>[^/]+)/[0-9a-f]+")

# The keys SNS signs, in the order it signs them; a Notification's Subject only when it has one.
SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_SNS_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


class SnsEndpoints:
    """What an SNS message may make OpenConductor fetch (its signing certificate, its SubscribeURL): only
    https URLs on an SNS host, because the message names them. Fetched certificates are kept by URL."""

    timeout = 5.0
    max_certificates = 64

    def __init__(self) -> None:
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._lock = threading.Lock()

    def is_aws_url(self, url: httpx.URL) -> bool:
        return (
            url.scheme == "https"
            and url.port in (None, 443)
            and not url.userinfo
            and _SNS_HOST.fullmatch(url.host) is not None
        )

    def get(self, url: httpx.URL) -> bytes:
        response = httpx.get(url, timeout=self.timeout, follow_redirects=False)
        response.raise_for_status()
        return response.content

    def public_key(self, url: httpx.URL) -> rsa.RSAPublicKey:
        key = self._keys.get(str(url))
        if key is None:
            found = x509.load_pem_x509_certificate(self.get(url)).public_key()
            if not isinstance(found, rsa.RSAPublicKey):
                raise ValueError("the signing certificate does not hold an RSA key")
            key = found
            with self._lock:
                if len(self._keys) >= self.max_certificates:
                    self._keys.clear()
                self._keys[str(url)] = key
        return key


SNS = SnsEndpoints()


def _sns_url(message: Mapping[str, Any], key: str) -> httpx.URL:
    value = message.get(key)
    refusal = f"{key}: expected an https URL on an Amazon SNS host (sns.<region>.amazonaws.com)"
    if not isinstance(value, str) or not value:
        raise Unauthenticated(refusal)
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise Unauthenticated(refusal) from None
    if not SNS.is_aws_url(url):
        raise Unauthenticated(refusal)
    return url


def string_to_sign(message: Mapping[str, Any], kind: str) -> bytes:
    """The text SNS signs: each signed key and its value on their own lines, in SIGNED_KEYS order."""
    lines: list[str] = []
    for key in SIGNED_KEYS[kind]:
        value = message.get(key)
        if key == "Subject" and value is None:
            continue
        if not isinstance(value, str):
            raise Unauthenticated(f"{key}: expected a string (it is part of the signed SNS message)")
        lines.append(f"{key}\n{value}\n")
    try:
        return "".join(lines).encode("utf-8")
    except UnicodeEncodeError:
        raise Unauthenticated("body: expected text that can be encoded as UTF-8") from None


def verify(request: IncomingRequest, *, secret: str | None = None) -> None:
    """Check the SNS signature as AWS documents it. `secret`, when set, lists the topic ARNs accepted."""
    message = request.payload
    if not isinstance(message, Mapping):
        raise Unauthenticated("body: expected a signed Amazon SNS message")
    kind = message.get("Type")
    if not isinstance(kind, str) or kind not in SIGNED_KEYS:
        raise Unauthenticated(f"Type: expected one of {', '.join(SIGNED_KEYS)} (a signed Amazon SNS message)")
    header = request.headers.get("x-amz-sns-message-type")
    if header is not None and header != kind:
        raise Unauthenticated("x-amz-sns-message-type: expected the same message type as the body's Type")
    version = message.get("SignatureVersion")
    algorithm = SIGNATURE_HASHES.get(version) if isinstance(version, str) else None
    if algorithm is None:
        raise Unauthenticated("SignatureVersion: expected 1 (SHA1withRSA) or 2 (SHA256withRSA)")
    signature_text = message.get("Signature")
    try:
        if not isinstance(signature_text, str):
            raise ValueError
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        raise Unauthenticated("Signature: expected a base64-encoded signature") from None
    if secret:
        topics = {topic.strip() for topic in secret.split(",") if topic.strip()}
        if message.get("TopicArn") not in topics:
            raise Unauthenticated("TopicArn: expected one of the topics this token accepts")
    signed = string_to_sign(message, kind)
    url = _sns_url(message, "SigningCertURL")
    try:
        key = SNS.public_key(url)
    except httpx.HTTPError:
        raise Unauthenticated("SigningCertURL: the signing certificate could not be fetched") from None
    except ValueError:
        raise Unauthenticated("SigningCertURL: expected a PEM certificate holding an RSA key") from None
    try:
        key.verify(signature, signed, padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise Unauthenticated("Signature: does not match the message (altered, or not signed by Amazon SNS)") from None


def control(request: IncomingRequest) -> ControlReply | None:
    """Confirm a subscription by visiting its SubscribeURL once the message is verified; acknowledge an
    unsubscribe confirmation. Notifications are left to parse()."""
    message = request.payload if isinstance(request.payload, Mapping) else {}
    kind = request.headers.get("x-amz-sns-message-type") or message.get("Type")
    if kind == "UnsubscribeConfirmation":
        return ControlReply(200, {"status": "ignored", "message": "unsubscribe confirmation acknowledged"})
    if kind != "SubscriptionConfirmation":
        return None
    verify(request)
    url = _sns_url(message, "SubscribeURL")
    try:
        SNS.get(url)
    except httpx.HTTPError as error:
        failure = f"SubscribeURL: the confirmation request failed ({type(error).__name__}); SNS will not deliver"
        return ControlReply(502, {"error": "subscription_not_confirmed", "message": failure})
    return ControlReply(200, {"status": "confirmed", "topic_arn": message.get("TopicArn")})


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="an Amazon SNS message")
    kind = body.get("Type")
    if kind is None and "AlarmName" in body:
        # Raw message delivery: the alarm itself, without the SNS envelope.
        return [_alarm_event(body, envelope={}, prefix="", received_at=received_at)]
    if kind in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        return []  # control() answers these; they carry no alarm
    check = ProblemCollector()
    if kind != "Notification":
        check.add("Type", "one of Notification, SubscriptionConfirmation, UnsubscribeConfirmation", kind)
    message = check.text(body, "Message", required=True)
    subject = check.text(body, "Subject")
    check.text(body, "TopicArn")
    check.text(body, "MessageId")
    sent_at = check.timestamp(body, "Timestamp")
    check.raise_if_any()
    assert message is not None
    alarm = _decode_alarm(message)
    if alarm is not None:
        return [_alarm_event(alarm, envelope=body, prefix="Message.", received_at=received_at)]
    title = (subject or "").strip() or first_line(message) or "Amazon SNS notification"
    return [
        build_event(
            source=SOURCE,
            status=AlertStatus.FIRING,
            severity=Severity.UNKNOWN,
            title=title,
            description=message,
            labels={"topic_arn": body["TopicArn"]} if isinstance(body.get("TopicArn"), str) else {},
            annotations=_envelope_annotations(body),
            starts_at=sent_at,
            received_at=received_at,
            raw=body,
        )
    ]


def _decode_alarm(message: str) -> Mapping[str, Any] | None:
    if not message.lstrip().startswith("{"):
        return None
    try:
        decoded = json.loads(message)
    except (ValueError, RecursionError):
        return None
    if not isinstance(decoded, dict) or "AlarmName" not in decoded:
        return None
    try:
        reject_unstorable(decoded)
    except InvalidPayload as error:
        raise InvalidPayload(
            [FieldProblem("Message" if p.field == "body" else f"Message.{p.field}", p.expected) for p in error.problems]
        ) from None
    return decoded


def _present(**values: str | None) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}


def _envelope_annotations(envelope: Mapping[str, Any]) -> dict[str, str]:
    names = {"TopicArn": "topic_arn", "MessageId": "sns_message_id"}
    return {name: envelope[key] for key, name in names.items() if isinstance(envelope.get(key), str)}


def _alarm_event(
    alarm: Mapping[str, Any], *, envelope: Mapping[str, Any], prefix: str, received_at: datetime
) -> AlertEvent:
    check = ProblemCollector(prefix)
    name = check.text(alarm, "AlarmName", required=True)
    state = check.text(alarm, "NewStateValue", required=True)
    if state is not None and state not in STATES:
        check.add("NewStateValue", "one of ALARM, OK, INSUFFICIENT_DATA", state)
    changed_at = check.timestamp(alarm, "StateChangeTime")
    arn = check.text(alarm, "AlarmArn", max_length=IDENTITY_LIMITS["fingerprint"] - len(_FINGERPRINT_PREFIX))
    texts = {key: check.text(alarm, key) for key in ("AlarmDescription", "NewStateReason", "OldStateValue")}
    account = check.text(alarm, "AWSAccountId")
    region_name = check.text(alarm, "Region")
    facts, dimensions = _trigger(check, alarm.get("Trigger"))
    identity = conventional_identity(
        check,
        dimensions,
        (("service", SERVICE_DIMENSIONS), ("resource", RESOURCE_DIMENSIONS), ("environment", ENVIRONMENT_DIMENSIONS)),
    )
    if identity.get("resource") is None and dimensions:
        value, path = next(iter(dimensions.values()))
        identity["resource"] = check.within(path, value, IDENTITY_LIMITS["resource"]) if value else None
    resource = identity.get("resource")
    if resource:
        identity["resource"] = _load_balancer_name(resource)
    namespace = facts.get("namespace")
    if identity.get("service") is None and namespace and not namespace.startswith(AWS_NAMESPACE_PREFIX):
        # A custom namespace is what an application publishes its own metrics under: it names that application.
        # AWS's own (AWS/EC2, AWS/RDS) name a kind of resource that every alarm on such resources in the account
        # shares: as a service, it would put unrelated load balancers or functions in one.
        identity["service"] = check.within("Trigger.Namespace", namespace, IDENTITY_LIMITS["service"])
    check.raise_if_any()
    assert name is not None and state is not None
    partition, region = _arn_place(arn)
    labels = {dimension: value for dimension, (value, _path) in dimensions.items()}
    labels.update(
        _present(
            alarm_name=name,
            aws_account_id=account,
            aws_region=region,
            namespace=facts.get("namespace"),
            metric_name=facts.get("metric_name"),
        )
    )
    annotations = _present(
        new_state=state,
        old_state=texts["OldStateValue"],
        region_name=region_name,
        statistic=facts.get("statistic"),
        threshold=facts.get("threshold"),
        unit=facts.get("unit"),
        reason=texts["NewStateReason"],
        alarm_arn=arn,
        **_envelope_annotations(envelope),
        url=_console_url(partition, region, name),
    )
    status = AlertStatus.RESOLVED if state == "OK" else AlertStatus.FIRING
    # INSUFFICIENT_DATA reaches us only when someone routed it: the metric went quiet, worth a look, not a page.
    severity = Severity.WARNING if state == "INSUFFICIENT_DATA" else map_severity("alarm")
    sent_at = ProblemCollector().timestamp(envelope, "Timestamp")
    happened = changed_at or sent_at
    return build_event(
        source=SOURCE,
        status=status,
        severity=severity,
        title=name,
        description=texts["AlarmDescription"] or texts["NewStateReason"] or "",
        service=identity.get("service"),
        resource=identity.get("resource"),
        environment=identity.get("environment"),
        labels=labels,
        annotations=annotations,
        starts_at=happened if status is AlertStatus.FIRING else None,
        ends_at=(happened or received_at) if status is AlertStatus.RESOLVED else None,
        fingerprint=f"{_FINGERPRINT_PREFIX}{arn}" if arn else None,
        received_at=received_at,
        raw=envelope or alarm,
        # CloudWatch notifies once per state change: StateChangeTime is when this firing began.
        keeps_start=changed_at is not None,
    )


_TRIGGER_FACTS = (
    ("MetricName", "metric_name"),
    ("Namespace", "namespace"),
    ("Statistic", "statistic"),
    ("ExtendedStatistic", "statistic"),
    ("Unit", "unit"),
)


def _trigger(check: ProblemCollector, trigger: Any) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The metric facts and dimensions (value, field path) of a Trigger, single-metric or metric math."""
    facts: dict[str, str] = {}
    dimensions: dict[str, tuple[str, str]] = {}
    if trigger is None:
        return facts, dimensions  # composite alarms have no Trigger
    if not isinstance(trigger, Mapping):
        check.add("Trigger", "an object", trigger)
        return facts, dimensions
    _facts_of(check, trigger, "Trigger.", facts)
    comparison, threshold = trigger.get("ComparisonOperator"), trigger.get("Threshold")
    if isinstance(comparison, str) and isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
        facts["threshold"] = f"{comparison} {threshold}"
    _dimensions_of(check, trigger.get("Dimensions"), "Trigger.Dimensions", dimensions)
    queries = trigger.get("Metrics")
    if queries is not None and not isinstance(queries, list):
        check.add("Trigger.Metrics", "an array of metric queries", queries)
    for index, query in enumerate(queries if isinstance(queries, list) else []):
        where = f"Trigger.Metrics[{index}]"
        stat = query.get("MetricStat") if isinstance(query, Mapping) else None
        if not isinstance(query, Mapping) or stat is None:
            if not isinstance(query, Mapping):
                check.add(where, "a metric query object", query)
            continue  # an expression: its inputs are the other queries
        metric = stat.get("Metric") if isinstance(stat, Mapping) else None
        if not isinstance(metric, Mapping):
            check.add(f"{where}.MetricStat", "an object with a Metric object", stat)
            continue
        _facts_of(check, metric, f"{where}.MetricStat.Metric.", facts)
        _facts_of(check, stat, f"{where}.MetricStat.", facts, keys=(("Stat", "statistic"), ("Unit", "unit")))
        _dimensions_of(check, metric.get("Dimensions"), f"{where}.MetricStat.Metric.Dimensions", dimensions)
    return facts, dimensions


def _facts_of(
    check: ProblemCollector,
    obj: Mapping[str, Any],
    path: str,
    facts: dict[str, str],
    *,
    keys: tuple[tuple[str, str], ...] = _TRIGGER_FACTS,
) -> None:
    for key, label in keys:
        value = obj.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            check.add(f"{path}{key}", "a string", value)
        else:
            facts.setdefault(label, str(value))


def _load_balancer_name(resource: str) -> str:
    """The name inside a load balancer's or target group's dimension value; any other resource as it is."""
    found = _LOAD_BALANCER.fullmatch(resource)
    return found["name"] if found else resource


def _dimensions_of(check: ProblemCollector, value: Any, path: str, found: dict[str, tuple[str, str]]) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        check.add(path, "an array of {name, value} objects", value)
        return
    for index, item in enumerate(value):
        name = item.get("name", item.get("Name")) if isinstance(item, Mapping) else None
        text = item.get("value", item.get("Value")) if isinstance(item, Mapping) else None
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(name, str) or not name or not isinstance(text, str):
            check.add(f"{path}[{index}]", "an object with a string name and value", item)
            continue
        found.setdefault(name, (text, f"{path}[{index}].value"))


def _arn_place(arn: str | None) -> tuple[str | None, str | None]:
    """The partition and region of arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>."""
    parts = (arn or "").split(":")
    if len(parts) < 6 or parts[0] != "arn" or not _REGION.fullmatch(parts[3]):
        return None, None
    return parts[1], parts[3]


def _console_url(partition: str | None, region: str | None, name: str) -> str | None:
    consoles = {
        "aws": f"https://{region}.console.aws.amazon.com",
        "aws-cn": f"https://{region}.console.amazonaws.cn",
        "aws-us-gov": "https://console.amazonaws-us-gov.com",
    }
    if region is None or partition not in consoles:
        return None
    return f"{consoles[partition]}/cloudwatch/home?region={region}#alarmsV2:alarm/{quote(name, safe='')}"
