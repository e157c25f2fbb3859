"""`fieldsched model …`: train and inspect the learned job-duration model."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from api.commands._common import console, err_console, open_database
from clustering.duration import load_model, save_model
from clustering.duration_data import generate_completions
from orders.duration_training import train, train_from_database
from orders.settings import Settings

app = typer.Typer(help="The job-duration model (artefact at FIELDSCHED_DURATION_MODEL).",
                  no_args_is_help=True)

_OUT = typer.Option(None, "--out", help="Artefact path (default FIELDSCHED_DURATION_MODEL)")


@app.command("train")
def train_command(
    out: Path | None = _OUT,
    synthetic: int = typer.Option(0, "--synthetic", min=0,
                                  help="Train on N generated historical completions "
                                       "instead of the database (demo)"),
    seed: int = typer.Option(0, "--seed"),
    holdout: float = typer.Option(0.25, "--holdout", min=0.05, max=0.5,
                                  help="Share of jobs held out for the evaluation"),
) -> None:
    """Train on completed jobs, evaluate on held-out ones, write the artefact."""
    path = out or Path(Settings().duration_model)
    try:
        if synthetic:
            model = train(generate_completions(synthetic, seed), holdout, seed,
                          info={"source": f"synthetic({synthetic}, seed={seed})"})
        else:
            db = open_database()
            try:
                model = train_from_database(db, holdout, seed)
            finally:
                db.dispose()
    except ValueError as exc:
        err_console.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    save_model(model, path)
    console.print(f"duration model written to {path}", highlight=False)
    _metrics_table(model.metrics)


@app.command("show")
def show_command(
    path: Path | None = typer.Argument(None, help="Artefact (default FIELDSCHED_DURATION_MODEL)"),
    as_json: bool = typer.Option(False, "--json", help="Print the metadata as JSON"),
) -> None:
    """Version, feature schema and held-out metrics of the artefact."""
    path = path or Path(Settings().duration_model)
    if not path.exists():
        err_console.print(f"no duration model at {path}: new jobs use the type defaults "
                          "(run `fieldsched model train`)", highlight=False)
        raise typer.Exit(1)
    try:
        model = load_model(path)
    except Exception as exc:
        err_console.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    summary = model.summary()
    if as_json:
        console.print_json(json.dumps(summary, default=str))
        return
    console.print(f"{path}: format {summary['format_version']}, trained "
                  f"{summary.get('trained_at', '?')} on {summary['n_train']} jobs "
                  f"({summary.get('source', '?')}), quantiles {summary['quantiles']}",
                  highlight=False)
    console.print("features: " + ", ".join(summary["features"]), highlight=False)
    _metrics_table(model.metrics)


def _metrics_table(metrics: dict) -> None:
    quantile_keys = ["within_plan"] + sorted({k for m in metrics.values() if isinstance(m, dict)
                                              for k in m if k.startswith("coverage_")})
    table = Table("held-out jobs", "MAE (min)", *quantile_keys,
                  title="evaluation (within_plan: share done within the planned duration)")
    for name in ("model", "model_uncalibrated", "type_defaults", "per_type_quantiles"):
        m = metrics.get(name)
        if m:
            table.add_row(name, f"{m['mae_s'] / 60:.1f}",
                          *(f"{m[k]:.1%}" if k in m else "-" for k in quantile_keys))
    console.print(table)
