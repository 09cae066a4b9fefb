"""Commands of the forecast layer: ``forecast evaluate [DATA]`` and ``forecast SCENARIO``.

``tradetalks forecast SCENARIO`` is also spelt ``tradetalks forecast scenario SCENARIO``.

``forecast`` is a command group; an argument that is not one of its commands is read as
a scenario (a built-in name or a TOML file), so the bare form works beside ``evaluate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from tradetalks._errors import ForecastError
from tradetalks.cli._common import console, print_json, progress
from tradetalks.forecast import (
    VETO_CAPABILITY_FACTOR,
    Evaluation,
    InstitutionRoles,
    ScenarioForecast,
    ScenarioView,
    default_models,
    evaluate,
    forecast_scenario,
    load_issues,
    plot_evaluation,
)
from tradetalks.game import prepare_game
from tradetalks.scenario import load_scenario
from tradetalks.store import RunStore


class _ScenarioDefaultGroup(TyperGroup):
    """A group whose first positional argument, when not a command, names a scenario.

    ``forecast us-japan-1995-autos --json`` (or ``forecast --json us-japan-1995-autos``)
    runs as ``forecast scenario us-japan-1995-autos --json``; arguments that start with a
    command name (``forecast evaluate ...``) or ask for help are left alone.
    """

    # ``ctx`` is typer's vendored click Context, whose class is private: typed as Any.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["scenario", *args]
        return super().parse_args(ctx, args)


forecast_app = typer.Typer(
    name="forecast",
    cls=_ScenarioDefaultGroup,
    help="Forecast negotiated outcomes with spatial bargaining models, scored on real decisions. "
    "`tradetalks forecast SCENARIO` forecasts a trade scenario beside its simulated talks.",
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
        title=f"{escape(result.source)}: {result.n_issues} issues, "
        f"{result.n_proposals} proposals ({how})",
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
        int, typer.Option("--seed", min=0, help="Seed of the fold assignment and the bootstrap.")
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


def _fmt(x: float | None) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.1f}"


def _boosts(view: ScenarioView) -> str:
    """``USA ×1.10, JPN ×1.00``: each party's capability factor from its threats."""
    parties = list(dict.fromkeys(view.actor_party))
    return ", ".join(f"{p} ×{b:.2f}" for p, b in zip(parties, view.threat_boost, strict=True))


def _show_actors(view: ScenarioView) -> None:
    iss = view.issues
    table = Table(
        title="Spatial view: each actor's position / salience per issue (0–100)",
        title_justify="left",
        caption=f"capability: the party's share of value added (WIOD) × its threats' boost "
        f"({_boosts(view)}); constituencies: weight share × party capability, veto players "
        f"× {VETO_CAPABILITY_FACTOR:g}; — = indifferent (no position)",
        caption_justify="left",
    )
    table.add_column("actor", style="bold", no_wrap=True, min_width=12)
    table.add_column("cap.", justify="right", no_wrap=True, min_width=5)
    for issue in iss.issue_ids:
        table.add_column(issue, justify="right", min_width=7, overflow="fold")
    for a, key in enumerate(iss.actors):
        cells = [
            "—" if np.isnan(iss.position[k, a]) else
            f"{iss.position[k, a]:.0f}/{iss.salience[k, a]:.0f}"
            for k in range(iss.n_issues)
        ]  # fmt: skip
        label = f"{key} (veto)" if view.is_veto[a] else key
        table.add_row(label, f"{iss.capability[:, a].max():.1f}", *cells)
    console.print(table)


def _show_comparison(result: ScenarioForecast) -> None:
    rows = result.comparison()
    n = max((int(r["issues"] or 0) for r in rows.values()), default=0)
    console.print()
    if n == 0:
        console.print("no simulated session reached a deal: nothing to compare the forecasts with")
        return
    table = Table(
        title=f"Spatial models against the simulated talks ({n} issues with deals)",
        title_justify="left",
        caption="|Δ|: distance from the talks' mean agreed position (scale points); "
        "same option: the nearest option is the talks' most frequent agreed option",
        caption_justify="left",
    )
    table.add_column("model", no_wrap=True)
    table.add_column("mean |Δ|", justify="right", no_wrap=True)
    table.add_column("same option", justify="right", no_wrap=True)
    for name, r in sorted(rows.items(), key=lambda kv: kv[1]["mean_abs_diff"] or np.inf):
        diff = r["mean_abs_diff"]
        table.add_row(name, _fmt(None if diff is None else float(diff)),
                      f"{r['same_option']}/{r['issues']}")  # fmt: skip
    console.print(table)


def _show_scenario(result: ScenarioForecast, title: str) -> None:
    view, talks = result.view, result.talks
    iss = view.issues
    console.print(f"[bold]{escape(title)}[/] ({escape(view.scenario_id)})", highlight=False)
    _show_actors(view)
    for k, issue in enumerate(iss.issue_ids):
        near: dict[str, list[str]] = {}
        for name, f in result.forecasts.items():
            option = result.nearest(name, k)
            if option is not None:
                near.setdefault(option, []).append(f"{name} {float(f[k]):.0f}")
        table = Table(
            title=f"{issue}: spatial forecasts beside {talks.sessions} simulated sessions",
            title_justify="left",
            caption=f"talks: most frequent end {talks.modal[issue]}; among deals "
            f"{talks.modal_agreed[issue] or '—'}, mean position {_fmt(talks.mean_position[issue])}",
            caption_justify="left",
        )
        console.print()
        table.add_column("option", no_wrap=True, min_width=8)
        table.add_column("scale", justify="right", no_wrap=True, min_width=5)
        table.add_column("talks", justify="right", no_wrap=True, min_width=6)
        table.add_column("spatial models nearest (forecast)", min_width=20)
        shares = talks.shares[issue]
        for j, option in enumerate(view.option_ids[k]):
            sq = " (sq)" if view.option_position[k][j] == iss.reference[k] else ""
            modal = "bold" if option == talks.modal[issue] else None
            table.add_row(
                option + sq,
                f"{view.option_position[k][j]:.0f}",
                f"{100 * shares[option]:.1f}%",
                ", ".join(near.get(option, [])),
                style=modal,
            )
        no_deal = "bold" if talks.modal[issue] == "(no deal)" else None
        table.add_row("(no deal)", "", f"{100 * shares['(no deal)']:.1f}%", "", style=no_deal)
        console.print(table)
    _show_comparison(result)
    console.print(
        f"\nsimulated talks: {talks.sessions} sessions (seed {talks.seed}, batches of "
        f"{talks.batch_size}), deal in {100 * talks.deal_share:.1f}%",
        highlight=False,
    )


@forecast_app.command("scenario")
def scenario_cmd(
    scenario: Annotated[
        str, typer.Argument(help="A built-in scenario name (see `tradetalks scenarios`) or a file.")
    ],
    sessions: Annotated[
        int, typer.Option("--sessions", "-n", help="Sessions of simulated talks.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the simulated talks.")] = 0,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Sessions per batch (as `tradetalks run`).")
    ] = 250,
    hold: Annotated[
        str,
        typer.Option(
            "--hold",
            help="Read an issue's stakes with the other issues at their status quo "
            "('status_quo') or averaged over them ('mean').",
        ),
    ] = "status_quo",
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes for pricing (default: all cores).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Run store whose price cache to use, shared with `tradetalks run` "
            "(default: the user data dir, or $TRADETALKS_STORE).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Price afresh without reading or writing a store.")
    ] = False,
) -> None:
    """Spatial models' forecast of a trade scenario beside its simulated talks.

    Also runs as `tradetalks forecast SCENARIO`.
    """
    if sessions < 1 or batch_size < 1:
        raise ForecastError(
            f"--sessions and --batch-size must be >= 1, got {sessions}, {batch_size}"
        )
    if hold not in ("status_quo", "mean"):
        raise ForecastError(f"--hold must be 'status_quo' or 'mean', got {hold!r}")
    if workers is not None and workers < 1:
        raise ForecastError(f"--workers must be >= 1, got {workers}")
    parsed = load_scenario(scenario)
    n_models = len(default_models())
    with progress() as bar:
        pricing = bar.add_task(f"pricing {parsed.id} with the trade model", total=1)
        if no_cache:
            setup = prepare_game(parsed, workers=workers)
        else:
            with RunStore(store) as cache:
                setup = prepare_game(parsed, workers=workers, cache=cache)
        bar.advance(pricing)
        fitting = bar.add_task("fitting the spatial models", total=n_models)
        talks = bar.add_task("simulating the talks", total=sessions)
        result = forecast_scenario(
            setup,
            sessions=sessions,
            seed=seed,
            batch_size=batch_size,
            hold="mean" if hold == "mean" else "status_quo",
            on_model=lambda _name: bar.advance(fitting),
            on_batch=lambda size: bar.advance(talks, size),
        )
    if as_json:
        payload = result.to_dict()
        payload["title"] = parsed.title
        print_json(payload)
        return
    _show_scenario(result, parsed.title)


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    app.add_typer(forecast_app, name="forecast")
