"""Commands of the forecast layer: ``tradetalks forecast evaluate [DATA]``.

``forecast`` is a command group so that other forecasting commands (e.g. spatial
forecasts of trade scenarios) can join it later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradetalks._errors import ForecastError
from tradetalks.cli._common import console, print_json, progress
from tradetalks.forecast import (
    Evaluation,
    InstitutionRoles,
    default_models,
    evaluate,
    load_issues,
    plot_evaluation,
)

forecast_app = typer.Typer(
    name="forecast",
    help="Forecast negotiated outcomes with spatial bargaining models, scored on real decisions.",
    no_args_is_help=True,
)

NOISE_POINTS = 3.0  # the issue's threshold for "beats the compromise model by more than noise"


def _show(result: Evaluation) -> None:
    how = (
        f"{result.folds}-fold cross-validation by proposal, seed {result.seed}"
        if result.mode == "cross-validation"
        else f"fit on {result.train_source}, scored out of sample"
    )
    table = Table(
        title=f"{result.source}: {result.n_issues} issues, {result.n_proposals} proposals ({how})",
        caption=f"95% intervals: cluster bootstrap over proposals, {result.n_boot} draws; "
        f"Δ = paired MAE difference with {result.baseline}",
    )
    table.add_column("model", style="bold", no_wrap=True)
    table.add_column("MAE [95% CI]", justify="right", no_wrap=True)
    table.add_column("±10 pts", justify="right", no_wrap=True)
    table.add_column(f"Δ vs {result.baseline}", justify="right", no_wrap=True)
    best = result.best().name
    for s in sorted(result.scores, key=lambda s: s.mae):
        table.add_row(
            f"{s.name} *" if s.name == best else s.name,
            f"{s.mae:.2f} [{s.mae_ci[0]:.1f}, {s.mae_ci[1]:.1f}]",
            f"{100 * s.within10:.0f}% [{100 * s.within10_ci[0]:.0f}, {100 * s.within10_ci[1]:.0f}]",
            f"{s.mae_diff:+.2f} [{s.mae_diff_ci[0]:+.1f},{s.mae_diff_ci[1]:+.1f}]",
        )
    console.print(table)
    top = result.best()
    base = next(s for s in result.scores if s.name == result.baseline)
    if top.name == result.baseline:
        verdict = f"the {result.baseline} model is the best"
    elif -top.mae_diff > NOISE_POINTS and top.mae_diff_ci[1] < 0:
        verdict = f"{top.name} beats {result.baseline} by {-top.mae_diff:.1f} points (> noise)"
    else:
        verdict = (
            f"{top.name} beats {result.baseline} ({base.mae:.2f}) by {-top.mae_diff:.1f} points: "
            f"not more than the ~{NOISE_POINTS:g}-point noise level with certainty"
        )
    console.print(verdict, highlight=False)


@forecast_app.command("evaluate")
def evaluate_cmd(
    data: Annotated[
        Path | None,
        typer.Argument(
            help="Issues to score: a DEU table, a long CSV or a TOML file "
            "(default: the bundled DEU subset)."
        ),
    ] = None,
    train: Annotated[
        Path | None,
        typer.Option(
            "--train", help="Fit the models on this file and score them on DATA (out of sample)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a PNG of the scores to this file.")
    ] = None,
    folds: Annotated[
        int, typer.Option("--folds", help="Cross-validation folds (whole proposals per fold).")
    ] = 5,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the fold assignment and the bootstrap.")
    ] = 0,
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap draws for the intervals.")] = 2000,
    baseline: Annotated[
        str, typer.Option("--baseline", help="Model the others are compared with, paired.")
    ] = "compromise",
    ep_cod_share: Annotated[
        float,
        typer.Option(
            "--ep-cod-share",
            help="DEU data: Parliament's capability under co-decision as a share of the "
            "Council's votes (1 = co-legislator with equal power, Art. 251 EC).",
        ),
    ] = 1.0,
) -> None:
    """Score every spatial model on real decisions: MAE and share within ±10 points.

    Without --train, proposal-level cross-validation on DATA; with it, fit on the
    training file and score on DATA.
    """
    if boot < 100:
        raise ForecastError(f"--boot must be at least 100, got {boot}")
    if not 0 <= ep_cod_share <= 10:
        raise ForecastError(f"--ep-cod-share must be in [0, 10], got {ep_cod_share}")
    roles = InstitutionRoles(parliament_share_cod=ep_cod_share)
    issues = load_issues(data, roles)
    training = load_issues(train, roles) if train is not None else None
    models = default_models()
    if baseline not in models:
        raise ForecastError(f"--baseline must be one of {', '.join(models)}, got {baseline!r}")
    with progress() as bar:
        task = bar.add_task("fitting and scoring models", total=len(models))
        result = evaluate(
            models,
            issues,
            training,
            folds=folds,
            seed=seed,
            n_boot=boot,
            baseline=baseline,
            on_model=lambda _name: bar.advance(task),
        )
    if plot is not None:
        plot_evaluation(result, plot)
    if as_json:
        payload = result.to_dict()
        if plot is not None:
            payload["plot"] = str(plot)
        print_json(payload)
        return
    _show(result)
    if plot is not None:
        console.print(f"plot written to {plot}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    app.add_typer(forecast_app, name="forecast")
