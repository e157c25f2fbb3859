"""The ``fieldsched`` command line.

Each command group lives in its own module under ``api/commands/`` and is
registered here, so this file stays a table of contents.
"""
from __future__ import annotations

import typer

from api.commands import apikey, bench, db, demo, engineers, inventory, model, roster, serve, solve
from api.commands.export import export_command
from api.commands.flow_demo import flow_demo_command
from api.commands.relay import relay_command
from api.commands.schedule import schedule_command

app = typer.Typer(
    name="fieldsched",
    help="Field scheduling for FTTP operators: orders, inventory, routing, billing events.",
    no_args_is_help=True,
    add_completion=False,
)

app.command("solve")(solve.solve_command)
app.command("generate")(solve.generate_command)
app.add_typer(bench.app, name="bench")
app.command("demo")(demo.demo_command)
# Order backbone command groups are registered below this line.
app.command("schedule")(schedule_command)
app.command("export")(export_command)
app.add_typer(db.app, name="db")
app.command("serve")(serve.serve_command)
app.add_typer(apikey.app, name="apikey")
app.add_typer(inventory.app, name="inventory")
app.add_typer(engineers.app, name="engineers")
app.add_typer(roster.app, name="roster")
app.add_typer(model.app, name="model")
app.command("relay")(relay_command)
app.command("demo-flow")(flow_demo_command)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
