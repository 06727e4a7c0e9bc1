"""How often each kind of evidence was right: the product's joins scored against the truth, rule by rule.

Every join names the alert its evidence pointed at. A join is right when the two lines belong to one truth
group. The pair metrics say how good the incidents are; this says which evidence made them so, or not:
the figure to look at before changing a score or a threshold, and the one the docs quote when they say
that some evidence carries no information on some estate.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

# The columns of the table, in order: (key, label, format).
LINK_COLUMNS = [
    ("joins", "joins", "{:,}"),
    ("right", "right", "{:,}"),
    ("link_precision", "link precision", "{:.3f}"),
]


def score_links(truth_groups: list[str], joins: list[tuple[int, int, str]]) -> dict[str, dict[str, Any]]:
    """Per rule: how many joins, how many between lines of one truth group, and that share; rules by count."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, neighbour_line, rule in joins:
        tally = counts[rule]
        tally[0] += 1
        tally[1] += truth_groups[line] == truth_groups[neighbour_line]
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    return {
        rule: {"joins": joins_of_rule, "right": right, "link_precision": round(right / joins_of_rule, 6)}
        for rule, (joins_of_rule, right) in ordered
    }


def links_markdown(links: dict[str, dict[str, Any]]) -> str:
    header = "| rule | " + " | ".join(label for _, label, _ in LINK_COLUMNS) + " |"
    rule_line = "| --- | " + " | ".join("---:" for _ in LINK_COLUMNS) + " |"
    rows = [
        f"| {rule} | " + " | ".join(fmt.format(scores[key]) for key, _, fmt in LINK_COLUMNS) + " |"
        for rule, scores in links.items()
    ]
    return "\n".join([header, rule_line, *rows])
