"""Where an alert happened, beyond its environment: the region or cluster its labels name.

The same service in two regions (or two Kubernetes clusters) is two places: a failure in one says
nothing about the other, so the engine links alerts in different places only when a topology
dependency says so. Only labels that name a place outright are read (no guessing from host names);
an alert naming none can be linked with any.
"""

from __future__ import annotations

from collections.abc import Mapping

Place = tuple[str, str]  # (what kind of place, its name): ("region", "eu-west-1"), ("cluster", "prod-use1")

# Label keys as the tools send them: Prometheus relabelling and OpenTelemetry's `cloud.region` (dots
# become underscores in Prometheus), CloudWatch's `Region`, Azure Monitor's `location`, Kubernetes'
# well-known node label.
REGION_KEYS = (
    "region",
    "Region",
    "aws_region",
    "cloud_region",
    "cloud.region",
    "location",
    "topology_kubernetes_io_region",
    "topology.kubernetes.io/region",
)
CLUSTER_KEYS = ("cluster", "k8s_cluster_name", "k8s.cluster.name", "kubernetes_cluster", "cluster_name")


def place_of(labels: Mapping[str, str]) -> Place | None:
    for kind, keys in (("region", REGION_KEYS), ("cluster", CLUSTER_KEYS)):
        for key in keys:
            value = labels.get(key)
            if value:
                return (kind, value.strip().lower())
    return None


def apart(first: Place | None, second: Place | None) -> bool:
    """True when both alerts name the same kind of place and the places differ. A region and a
    cluster cannot be compared (a cluster's region is not in its labels), so they are not apart."""
    return first is not None and second is not None and first[0] == second[0] and first[1] != second[1]
