"""The `openconductor` command: serve, db, send, replay, and the evaluation commands."""

from __future__ import annotations

import typer

from openconductor.cli import (
    db,
    eval_cmd,
    eval_nab,
    eval_rca,
    eval_templates,
    integrations,
    notifications,
    quality_gate,
    replay_cmd,
    send,
    serve,
    silences,
    simulate,
    topology,
)

app = typer.Typer(
    name="openconductor",
    help="OpenConductor: every alert in, duplicates out, related alerts correlated into incidents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for module in (
    serve,
    db,
    send,
    silences,
    topology,
    integrations,
    notifications,
    replay_cmd,
    simulate,
    eval_cmd,
    quality_gate,
    eval_nab,
    eval_rca,
    eval_templates,
):
    module.register(app)


if __name__ == "__main__":
    app()
