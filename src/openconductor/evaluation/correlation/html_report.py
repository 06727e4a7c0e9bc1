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


_PLOT_RIGHT = 380  # room on the right for the legend, so it never covers the lines


def _legend(entries: list[tuple[str, str]], width: int) -> str:
    return "".join(
        f'<text x="{width - _PLOT_RIGHT + 20}" y="{20 + 16 * index}" fill="{color}" font-size="12">'
        f"{html.escape(name)}</text>"
        for index, (name, color) in enumerate(entries)
    )


def _color(index: int) -> str:
    """One colour per correlator, the same in every plot."""
    return _PALETTE[index % len(_PALETTE)]


def _timeline_svg(stream: LabelledStream, results: list[CorrelatorResult], width: int = 1200, height: int = 320) -> str:
    times = [moment.timestamp() for moment in stream.times()]
    if not times:
        return "<p>no data</p>"
    start, end = min(times), max(times)
    buckets = 120
    span = max(end - start, 1.0)
    plot_width = width - 40 - _PLOT_RIGHT

    def bucket(moment: float) -> int:
        return min(buckets - 1, int((moment - start) / span * buckets))

    series = [("alerts in", "#000000", Counter(bucket(t) for t in times))]
    for index, result in enumerate(results):
        raised = Counter(bucket(t) for t in result.assignment.raised_at.values())
        series.append((f"incidents raised: {result.name}", _color(index), raised))
    peak = max(max(counter.values(), default=1) for _, _, counter in series)
    lines = []
    for _, color, counter in series:
        points = " ".join(
            f"{40 + b * plot_width / (buckets - 1):.1f},"
            f"{height - 30 - math.log1p(counter.get(b, 0)) / math.log1p(peak) * (height - 60):.1f}"
            for b in range(buckets)
        )
        lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{points}"/>')
    minutes = span / 60 / buckets
    axis = (
        f'<text x="40" y="{height - 8}" font-size="12">time, in {minutes:,.1f}-minute buckets; count per bucket on a '
        f"log scale (peak {peak:,})</text>"
    )
    legend = _legend([(name, color) for name, color, _ in series], width)
    return f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(lines)}{axis}{legend}</svg>'


def _sizes_svg(results: list[CorrelatorResult], width: int = 1200, height: int = 300) -> str:
    """Sizes of the incidents people see: raised incidents only (every baseline raises all of them)."""
    edges = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 10**9]
    labels = ["1", "2", "3-4", "5-9", "10-19", "20-49", "50-99", "100-199", "200-499", "500-999", "1000+"]
    shown = list(enumerate(results))[:4]
    histograms = []
    for _, result in shown:
        raised = result.assignment.raised_at
        sizes = Counter(
            incident for incident in result.assignment.predicted if incident is not None and incident in raised
        )
        counts = [0] * len(labels)
        for size in sizes.values():
            counts[next(i for i in range(len(labels)) if edges[i] <= size < edges[i + 1])] += 1
        histograms.append(counts)
    peak = max((max(h) for h in histograms), default=1) or 1
    slot = (width - 40 - _PLOT_RIGHT) / len(labels)
    bar = slot / (len(shown) + 1)
    parts = []
    for position_in_plot, ((index, _), counts) in enumerate(zip(shown, histograms, strict=True)):
        for position, count in enumerate(counts):
            tall = math.log1p(count) / math.log1p(peak) * (height - 70)
            x = 40 + position * slot + position_in_plot * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{height - 40 - tall:.1f}" width="{bar:.1f}" height="{tall:.1f}" '
                f'fill="{_color(index)}"/>'
            )
    for position, label in enumerate(labels):
        parts.append(f'<text x="{40 + position * slot:.1f}" y="{height - 22}" font-size="11">{label}</text>')
    parts.append(
        f'<text x="40" y="{height - 6}" font-size="12">alerts per raised incident; incident count on a log scale</text>'
    )
    legend = _legend([(result.name, _color(index)) for index, result in shown], width)
    return f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}{legend}</svg>'
