"""CloudWatch alarms through SNS: the alarm's fields, states, dimensions and links, and refusals by field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import cloudwatch

PAYLOADS = Path(__file__).parent / "payloads" / "cloudwatch"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-api-cpu-high"


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def with_alarm(name: str, **changes: Any) -> dict[str, Any]:
    """A recorded notification whose alarm message has `changes` applied (None removes a key)."""
    envelope = load(name)
    alarm = json.loads(envelope["Message"])
    for key, value in changes.items():
        if value is None:
            alarm.pop(key, None)
        else:
            alarm[key] = value
    envelope["Message"] = json.dumps(alarm)
    return envelope


def parse_one(payload: Any):  # type: ignore[no-untyped-def]
    [event] = cloudwatch.parse(payload, received_at=RECEIVED)
    return event


def problems_of(payload: Any) -> dict[str, str]:
    with pytest.raises(InvalidPayload) as caught:
        cloudwatch.parse(payload, received_at=RECEIVED)
    return {problem.field: problem.expected for problem in caught.value.problems}


def test_alarm_maps_field_by_field() -> None:
    event = parse_one(load("firing"))
    assert event.source == "cloudwatch"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.HIGH
    assert event.title == "checkout-api-cpu-high"
    assert event.description == "CPU of the checkout API instance above 80% for 10 minutes"
    assert event.service is None  # AWS/EC2 names a kind of resource, not a service (it stays in the labels)
    assert event.resource == "i-0a1b2c3d4e5f67890"
    assert event.environment is None
    assert event.fingerprint == f"cloudwatch:{ARN}"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 12, 345000, tzinfo=UTC)
    assert event.keeps_start  # one notification per state change: StateChangeTime starts this firing
    assert event.ends_at is None
    assert event.labels == {
        "InstanceId": "i-0a1b2c3d4e5f67890",
        "alarm_name": "checkout-api-cpu-high",
        "aws_account_id": "123456789012",
        "aws_region": "us-east-1",
        "namespace": "AWS/EC2",
        "metric_name": "CPUUtilization",
    }
    assert event.annotations["new_state"] == "ALARM"
    assert event.annotations["old_state"] == "OK"
    assert event.annotations["threshold"] == "GreaterThanThreshold 80.0"
    assert event.annotations["statistic"] == "AVERAGE"
    assert event.annotations["reason"].startswith("Threshold Crossed: 2 out of the last 2 datapoints")
    assert event.annotations["region_name"] == "US East (N. Virginia)"
    assert event.annotations["topic_arn"] == "arn:aws:sns:us-east-1:123456789012:openconductor-alarms"
    assert event.annotations["url"] == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/checkout-api-cpu-high"
    )
    assert event.raw["MessageId"] == "5e7c9d1a-2b3f-5a6d-8e9f-0a1b2c3d4e5f"


def test_ok_resolves_the_same_alert() -> None:
    firing, resolved = parse_one(load("firing")), parse_one(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 12, 611000, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert (resolved.service, resolved.resource) == (firing.service, firing.resource)


def test_insufficient_data_fires_at_warning() -> None:
    event = parse_one(with_alarm("firing", NewStateValue="INSUFFICIENT_DATA"))
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.WARNING
    assert event.fingerprint == f"cloudwatch:{ARN}"


def test_composite_alarm_without_trigger() -> None:
    event = parse_one(load("minimal"))
    assert event.title == "payments-degraded"
    assert event.description.startswith("arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-5xx transitioned")
    assert event.service is None and event.resource is None
    assert event.labels == {
        "alarm_name": "payments-degraded",
        "aws_account_id": "123456789012",
        "aws_region": "us-east-1",
    }


def test_metric_math_alarm_takes_dimensions_from_its_metrics() -> None:
    event = parse_one(load("metric_math"))
    assert event.resource == "orders-api"
    assert event.environment == "prod"  # the API Gateway Stage dimension
    assert event.service is None
    assert event.labels["metric_name"] == "5XXError"
    assert event.annotations["statistic"] == "Sum"
    assert event.annotations["url"].startswith(
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
    )


def test_service_and_environment_dimensions_win() -> None:
    dimensions = [
        {"name": "ClusterName", "value": "prod-cluster"},
        {"name": "ServiceName", "value": "checkout"},
        {"name": "Environment", "value": "production"},
    ]
    trigger = {"MetricName": "CPUUtilization", "Namespace": "AWS/ECS", "Dimensions": dimensions}
    event = parse_one(with_alarm("firing", Trigger=trigger))
    assert (event.service, event.resource, event.environment) == ("checkout", "prod-cluster", "production")


def test_unknown_dimension_is_the_resource() -> None:
    trigger = {"MetricName": "QueueDepth", "Namespace": "Orders", "Dimensions": [{"name": "Worker", "value": "w-7"}]}
    event = parse_one(with_alarm("firing", Trigger=trigger))
    assert (event.service, event.resource) == ("Orders", "w-7")


def test_china_and_govcloud_console_links() -> None:
    china_arn = "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a b"
    china = parse_one(with_alarm("firing", AlarmName="a b", AlarmArn=china_arn))
    assert china.annotations["url"] == (
        "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/a%20b"
    )
    gov = parse_one(with_alarm("firing", AlarmArn="arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:x"))
    assert gov.annotations["url"].startswith(
        "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1"
    )
    odd = parse_one(with_alarm("firing", AlarmArn="not-an-arn"))
    assert "url" not in odd.annotations
    assert odd.fingerprint == "cloudwatch:not-an-arn"


def test_non_alarm_notification_becomes_one_alert_from_subject_and_message() -> None:
    event = parse_one(load("text_message"))
    assert event.title == "Nightly backup of orders-db failed"
    assert event.description.startswith("The nightly backup job of orders-db failed")
    assert event.severity is Severity.UNKNOWN
    assert event.status is AlertStatus.FIRING
    assert event.starts_at == datetime(2026, 1, 5, 2, 13, 40, 112000, tzinfo=UTC)
    assert event.labels == {"topic_arn": "arn:aws:sns:us-east-1:123456789012:openconductor-alarms"}
    # Repeats of the same text notification fold into one alert.
    again = load("text_message")
    again["MessageId"] = "another-id"
    assert parse_one(again).fingerprint == event.fingerprint


def test_text_without_subject_takes_the_first_line_truncated() -> None:
    payload = load("text_message")
    del payload["Subject"]
    payload["Message"] = "x" * 500 + "\nsecond line"
    title = parse_one(payload).title
    assert len(title) == 200 and title.endswith("...")
    payload["Message"] = '{"not": "an alarm"}'
    assert parse_one(payload).title == '{"not": "an alarm"}'


def test_raw_message_delivery_is_the_alarm_itself() -> None:
    alarm = json.loads(load("firing")["Message"])
    event = parse_one(alarm)
    assert event.fingerprint == f"cloudwatch:{ARN}"
    assert event.raw == alarm


def test_confirmations_carry_no_alerts() -> None:
    for name in ("subscription_confirmation", "unsubscribe_confirmation"):
        assert cloudwatch.parse(load(f"control/{name}"), received_at=RECEIVED) == []


def test_unknown_keys_are_tolerated() -> None:
    trigger = {**json.loads(load("firing")["Message"])["Trigger"], "Future": True}
    payload = with_alarm("firing", SomethingNew={"nested": [1, 2]}, Trigger=trigger)
    payload["MessageAttributes"] = {"team": {"Type": "String", "Value": "payments"}}
    assert parse_one(payload).fingerprint == f"cloudwatch:{ARN}"


def test_wrong_types_are_named_by_field() -> None:
    assert problems_of([]) == {"body": "a JSON object (an Amazon SNS message)"}
    assert problems_of({**load("firing"), "Type": "Bogus"})["Type"].startswith("one of Notification")
    assert problems_of({**load("firing"), "Message": {"AlarmName": "x"}}) == {"Message": "a string"}
    assert problems_of({**load("firing"), "Timestamp": "yesterday"})["Timestamp"].startswith("an RFC 3339 timestamp")
    problems = problems_of(with_alarm("firing", NewStateValue="BROKEN", StateChangeTime=17, AlarmName=""))
    assert problems == {
        "Message.NewStateValue": "one of ALARM, OK, INSUFFICIENT_DATA",
        "Message.StateChangeTime": "an RFC 3339 timestamp string",
        "Message.AlarmName": "a non-empty string",
    }
    trigger = {"Dimensions": [{"name": "InstanceId"}], "Metrics": [{"MetricStat": 3}], "Namespace": ["x"]}
    assert problems_of(with_alarm("firing", Trigger=trigger)) == {
        "Message.Trigger.Namespace": "a string",
        "Message.Trigger.Dimensions[0]": "an object with a string name and value",
        "Message.Trigger.Metrics[0].MetricStat": "an object with a Metric object",
    }
    assert problems_of(with_alarm("firing", Trigger="cpu")) == {"Message.Trigger": "an object"}


def test_identity_limits_and_unstorable_text_are_refused_by_field() -> None:
    long_arn = "arn:aws:cloudwatch:us-east-1:1:alarm:" + "a" * 400
    assert "Message.AlarmArn" in problems_of(with_alarm("firing", AlarmArn=long_arn))
    trigger = {"Namespace": "AWS/EC2", "Dimensions": [{"name": "InstanceId", "value": "i" * 400}]}
    assert "Message.Trigger.Dimensions[0].value" in problems_of(with_alarm("firing", Trigger=trigger))
    nul = problems_of(with_alarm("firing", AlarmName="a\x00b"))
    assert nul == {"Message.AlarmName": "text without NUL (\\u0000) characters"}


def test_every_mutation_of_the_alarm_parses_or_is_refused_by_field() -> None:
    """The SNS envelope hides the alarm in a string, out of the generic fuzzer's reach: mutate it here."""
    alarm = json.loads(load("metric_math")["Message"])
    hostile: list[Any] = [None, True, 0, -1.5, "", "x" * 1000, [], {}, [{}], {"a": [None]}, "a\x00"]

    def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        found = [prefix] if prefix else []
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, item in children:
            found.extend(paths(item, (*prefix, key)))
        return found

    for path in paths(alarm):
        for replacement in hostile:
            mutated = copy.deepcopy(alarm)
            parent = mutated
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = replacement
            envelope = {**load("metric_math"), "Message": json.dumps(mutated)}
            try:
                events = cloudwatch.parse(envelope, received_at=RECEIVED)
            except InvalidPayload as refusal:
                problems = refusal.problems
            else:
                assert len(events) == 1 and events[0].title
                continue
            assert problems and all(p.field.startswith("Message") and p.expected for p in problems), path


def test_a_custom_namespace_names_the_service_and_an_aws_one_does_not() -> None:
    def service_of(namespace: str) -> str | None:
        trigger = {
            "MetricName": "QueueDepth",
            "Namespace": namespace,
            "Dimensions": [{"name": "QueueName", "value": "orders"}],
        }
        return parse_one(with_alarm("firing", Trigger=trigger)).service

    assert service_of("OrdersService") == "OrdersService"
    # Every SQS alarm of the account shares AWS/SQS: as a service it would group unrelated queues.
    assert service_of("AWS/SQS") is None


@pytest.mark.parametrize(
    ("dimension", "value", "resource"),
    [
        ("LoadBalancer", "app/orders-api-prod/50dc6c495c0c9188", "orders-api-prod"),
        ("LoadBalancer", "net/edge-nlb/0a1b2c3d4e5f6789", "edge-nlb"),
        ("TargetGroup", "targetgroup/checkout-tg/73e2d6bc24d8a067", "checkout-tg"),
        ("LoadBalancerName", "classic-elb", "classic-elb"),
        ("QueueName", "app/not/a-load-balancer", "app/not/a-load-balancer"),
    ],
)
def test_a_load_balancer_is_known_by_its_name(dimension: str, value: str, resource: str) -> None:
    trigger = {
        "MetricName": "HTTPCode_Target_5XX_Count",
        "Namespace": "AWS/ApplicationELB",
        "Dimensions": [{"name": dimension, "value": value}],
    }
    event = parse_one(with_alarm("firing", Trigger=trigger))
    assert event.resource == resource
    assert event.labels[dimension] == value  # the dimension itself is kept as sent
