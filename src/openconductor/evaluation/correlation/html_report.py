"""The HTML report of `openconductor eval`: the comparison table and two plots, as inline SVG.

Inline SVG keeps the report one self-contained file and spares a plotting dependency.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from typing import Any

from openconductor.evaluation.correlation.evaluate import PRODUCT, CorrelatorResult
from openconductor.evaluation.correlation.labelled import LabelledStream

COLUMNS = [
    ("noise_reduction", "noise reduction", "{:.2%}"),
    ("incidents", "incidents", "{:,}"),
    ("pairwise_precision", "precision", "{:.3f}"),
    ("pairwise_recall", "recall", "{:.3f}"),
    ("pairwise_f1", "F1", "{:.3f}"),
    ("adjusted_rand_index", "ARI", "{:.3f}"),
    ("adjusted_mutual_info", "AMI", "{:.3f}"),
    ("split_share", "split", "{:.1%}"),
    ("mixed_share", "mixed", "{:.1%}"),
    ("detected_share", "detected", "{:.1%}"),
    ("detection_delay_median_s", "delay p50 s", "{:.0f}"),
]
_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def markdown_table(report: dict[str, Any]) -> str:
    header = "| correlator | " + " | ".join(label for _, label, _ in COLUMNS) + " |"
    rule = "| --- | " + " | ".join("---:" for _ in COLUMNS) + " |"
    rows = [
        f"| {name} | " + " | ".join(fmt.format(scores[key]) for key, _, fmt in COLUMNS) + " |"
        for name, scores in report["correlators"].items()
    ]
    return "\n".join([header, rule, *rows])


def render_html(report: dict[str, Any], stream: LabelledStream, results: list[CorrelatorResult]) -> str:
    rows = []
    for name, scores in report["correlators"].items():
        cells = "".join(f"<td>{fmt.format(scores[key])}</td>" for key, _, fmt in COLUMNS)
        style = ' style="font-weight:bold"' if name == PRODUCT else ""
        rows.append(f"<tr{style}><th>{html.escape(name)}</th>{cells}</tr>")
    header = "".join(f"<th>{label}</th>" for _, label, _ in COLUMNS)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>OpenConductor evaluation: {html.escape(report["file"])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse}}
td,th{{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}}th:first-child{{text-align:left}}</style></head>
<body><h1>Correlation evaluation: {html.escape(report["file"])}</h1>
<p>{report["alerts_in"]:,} alerts in, {report["truth_groups"]:,} truth groups
(ideal noise reduction {1 - report["truth_groups"] / max(report["alerts_in"], 1):.2%}).</p>
<table><tr><th>correlator</th>{header}</tr>{"".join(rows)}</table>
<h2>Alerts and incidents over time</h2>{_timeline_svg(stream, results)}
<h2>Incident size distribution</h2>{_sizes_svg(results)}
</body></html>"""


def _timeline_svg(stream: LabelledStream, results: list[CorrelatorResult], width: int = 1000, height: int = 320) -> str:
    times = [moment.timestamp() for moment in stream.times()]
    if not times:
        return "<p>no data</p>"
    start, end = min(times), max(times)
    buckets = 120
    span = max(end - start, 1.0)

    def bucket(moment: float) -> int:
        return min(buckets - 1, int((moment - start) / span * buckets))

    series = {"alerts": Counter(bucket(t) for t in times)}
    for result in results:
        series[f"incidents: {result.name}"] = Counter(bucket(t) for t in result.assignment.raised_at.values())
    peak = max(max(counter.values(), default=1) for counter in series.values())
    lines = []
    for index, (name, counter) in enumerate(series.items()):
        points = " ".join(
            f"{40 + b * (width - 60) / (buckets - 1):.1f},{height - 30 - math.log1p(counter.get(b, 0)) / math.log1p(peak) * (height - 60):.1f}"
            for b in range(buckets)
        )
        color = _PALETTE[index % len(_PALETTE)]
        lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{points}"/>')
        lines.append(
            f'<text x="{width - 330}" y="{20 + 14 * index}" fill="{color}" font-size="12">{html.escape(name)}</text>'
        )
    minutes = span / 60 / buckets
    axis = (
        f'<text x="40" y="{height - 8}" font-size="12">per {minutes:.1f}-minute bucket, log scale; '
        f"peak {peak:,} per bucket</text>"
    )
    return f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(lines)}{axis}</svg>'


def _sizes_svg(results: list[CorrelatorResult], width: int = 1000, height: int = 300) -> str:
    edges = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 10**9]
    labels = ["1", "2", "3-4", "5-9", "10-19", "20-49", "50-99", "100-199", "200-499", "500-999", "1000+"]
    shown = results[:4]
    histograms = []
    for result in shown:
        sizes = Counter(incident for incident in result.assignment.predicted if incident is not None)
        counts = [0] * len(labels)
        for size in sizes.values():
            counts[next(i for i in range(len(labels)) if edges[i] <= size < edges[i + 1])] += 1
        histograms.append(counts)
    peak = max((max(h) for h in histograms), default=1) or 1
    slot = (width - 60) / len(labels)
    bar = slot / (len(shown) + 1)
    parts = []
    for index, (result, counts) in enumerate(zip(shown, histograms, strict=True)):
        color = _PALETTE[index % len(_PALETTE)]
        for position, count in enumerate(counts):
            tall = math.log1p(count) / math.log1p(peak) * (height - 70)
            x = 40 + position * slot + index * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{height - 40 - tall:.1f}" width="{bar:.1f}" height="{tall:.1f}" fill="{color}"/>'
            )
        parts.append(
            f'<text x="{width - 330}" y="{20 + 14 * index}" fill="{color}" font-size="12">{html.escape(result.name)}</text>'
        )
    for position, label in enumerate(labels):
        parts.append(f'<text x="{40 + position * slot:.1f}" y="{height - 22}" font-size="11">{label}</text>')
    parts.append(
        f'<text x="40" y="{height - 6}" font-size="12">alerts per incident (incident count on a log scale)</text>'
    )
    return f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
