"""Commands of the bargaining layer: ``bargain`` runs sessions, ``frontier`` analyses a domain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from tradetalks._errors import BargainingError
from tradetalks._inputs import save_figure
from tradetalks.bargaining import (
    Analysis,
    BargainingProblem,
    BatchResult,
    Protocol,
    Solution,
    analyse,
    distances,
    parse_strategy,
    run_batch,
    run_session,
)
from tradetalks.bargaining._genius import read_genius_domain
from tradetalks.cli._common import console, print_json, progress

_DOMAIN_HELP = "A GENIUS domain directory, or the name of a bundled domain (e.g. ItexvsCypress)."
_RAW_HELP = "Use the profiles' raw scores (as NegMAS does) instead of GENIUS's normalised ones."


_CHUNK = 5000


def _concat(parts: list[BatchResult]) -> BatchResult:
    """One result from consecutive chunks of sessions."""
    return BatchResult(
        status=np.concatenate([p.status for p in parts]),
        agreement=np.concatenate([p.agreement for p in parts]),
        utilities=np.concatenate([p.utilities for p in parts]),
        discounted=np.concatenate([p.discounted for p in parts]),
        rounds=np.concatenate([p.rounds for p in parts]),
        turns=np.concatenate([p.turns for p in parts]),
        reservation=np.concatenate([p.reservation for p in parts]),
    )


def _load(domain: str, raw: bool) -> BargainingProblem:
    return read_genius_domain(domain).problem(normalize=not raw)


def _labels(problem: BargainingProblem, code: int | None) -> dict[str, str] | None:
    if code is None or code < 0:
        return None
    if problem.space is None:
        return {"outcome": str(code)}
    return problem.space.labels(code)


def _utils(problem: BargainingProblem, values: Any) -> dict[str, float]:
    return {p: round(float(v), 6) for p, v in zip(problem.parties, values, strict=True)}


def _solution_json(problem: BargainingProblem, sol: Solution | None) -> dict[str, Any] | None:
    if sol is None:
        return None
    return {
        "outcome": _labels(problem, sol.outcome),
        "utilities": _utils(problem, sol.utilities),
    }


def _bargain(
    domain: Annotated[str, typer.Argument(help=_DOMAIN_HELP)],
    a: Annotated[
        str,
        typer.Option(
            "--a", help="Strategy of the first party, e.g. boulware, conceder:e=2, micro."
        ),
    ] = "boulware",
    b: Annotated[str, typer.Option("--b", help="Strategy of the second party.")] = "boulware",
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Deadline in rounds.")] = 100,
    discount: Annotated[
        float, typer.Option("--discount", help="Discount factor per offer, in (0, 1].")
    ] = 1.0,
    sessions: Annotated[
        int, typer.Option("--sessions", min=1, help="Sessions to run (>1: batch summary).")
    ] = 1,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed (reproducible runs).")
    ] = 0,
    raw: Annotated[bool, typer.Option("--raw-scores", help=_RAW_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Run bargaining sessions on a GENIUS domain: the trace of one, or a batch summary."""
    strategies = [parse_strategy(a), parse_strategy(b)]
    problem = _load(domain, raw)
    if problem.n_parties != 2:
        raise BargainingError(
            f"{domain}: bargain runs two parties, the domain has {problem.n_parties}"
        )
    protocol = Protocol(rounds=rounds, discount=discount)
    if sessions == 1:
        _print_session(problem, strategies, protocol, seed, domain, as_json, (a, b))
        return
    rng = np.random.default_rng(seed)
    parts = []
    with progress() as bar:
        task = bar.add_task(f"{sessions} sessions", total=sessions)
        # fixed-size chunks drawing on one generator: the bar moves, the run stays reproducible
        for start in range(0, sessions, _CHUNK):
            n = min(_CHUNK, sessions - start)
            parts.append(
                run_batch(
                    problem.utilities,
                    problem.reservation,
                    strategies,
                    protocol,
                    n_sessions=n,
                    rng=rng,
                    space=problem.space,
                )
            )
            bar.update(task, advance=n)
    res = _concat(parts)
    summary = res.summary()
    if as_json:
        agreed, counts = np.unique(res.agreement[res.agreed], return_counts=True)
        print_json(
            {
                "domain": domain,
                "parties": list(problem.parties),
                "strategies": [a, b],
                "rounds": rounds,
                "summary": summary,
                "agreements": [
                    {
                        "outcome": _labels(problem, int(c)),
                        "sessions": int(n),
                        "utilities": _utils(problem, problem.utilities[:, int(c)]),
                    }
                    for c, n in zip(agreed, counts, strict=True)
                ],
            }
        )
        return
    table = Table(title=f"{sessions} sessions on {domain}: {a} vs {b}, {rounds} rounds")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(
            key.replace("_0", f" {problem.parties[0]}").replace("_1", f" {problem.parties[1]}"),
            f"{value:.4g}",
        )
    console.print(table)


def _print_session(
    problem: BargainingProblem,
    strategies: list[Any],
    protocol: Protocol,
    seed: int,
    domain: str,
    as_json: bool,
    names: tuple[str, str],
) -> None:
    res = run_session(problem, None, protocol, strategies, rng=seed)
    analysis = analyse(problem.utilities, problem.reservation)
    dist = distances(res.utilities, analysis) if res.agreed else None
    if as_json:
        print_json(
            {
                "domain": domain,
                "parties": list(problem.parties),
                "strategies": list(names),
                "status": res.status.label,
                "agreement": _labels(problem, res.agreement),
                "utilities": _utils(problem, res.utilities),
                "discounted": _utils(problem, res.discounted),
                "rounds": res.rounds,
                "welfare": res.welfare,
                "nash_product": res.nash_product,
                "distances": None if dist is None else dist.__dict__,
                "trace": [
                    {
                        "round": s.round,
                        "party": problem.parties[s.party] if s.action != "escalation" else s.party,
                        "action": s.action,
                        "time": round(s.time, 6),
                        "outcome": _labels(problem, s.outcome),
                        "utilities": _utils(problem, s.utilities) if s.utilities else None,
                    }
                    for s in res.trace
                ],
            }
        )
        return
    table = Table(
        title=f"{domain}: {names[0]} ({problem.parties[0]}) vs {names[1]} ({problem.parties[1]})"
    )
    for col in ("round", "party", "action", "outcome", *problem.parties):
        table.add_column(
            col, justify="right" if col in problem.parties or col == "round" else "left"
        )
    for s in res.trace:
        labels = _labels(problem, s.outcome)
        table.add_row(
            str(s.round),
            problem.parties[s.party],
            s.action,
            ", ".join(labels.values()) if labels else "",
            *(f"{v:.4g}" for v in s.utilities) if s.utilities else ("",) * problem.n_parties,
        )
    console.print(table)
    outcome = _labels(problem, res.agreement)
    console.print(
        f"[bold]{res.status.label}[/] after {res.rounds} rounds"
        + (f": {outcome}" if outcome else ""),
        highlight=False,
    )
    console.print(
        "utilities: " + ", ".join(f"{k} {v:.4g}" for k, v in _utils(problem, res.utilities).items())
    )
    if dist is not None:
        console.print(
            f"distance to frontier {dist.frontier:.4g}, to Nash {dist.nash:.4g}, "
            f"to Kalai–Smorodinsky {dist.kalai_smorodinsky:.4g}"
        )


def _plot(problem: BargainingProblem, analysis: Analysis, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    u = problem.utilities
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.scatter(u[0], u[1], s=6, c="0.75", label="outcomes")
    fu = analysis.frontier_utilities
    ax.plot(fu[0], fu[1], "-o", ms=3, c="C0", label="Pareto frontier")
    for sol, name, mark in (
        (analysis.nash, "Nash", "*"),
        (analysis.kalai_smorodinsky, "Kalai–Smorodinsky", "D"),
        (analysis.utilitarian, "utilitarian", "s"),
        (analysis.egalitarian, "egalitarian", "^"),
    ):
        if sol is not None:
            ax.scatter(sol.utilities[0], sol.utilities[1], marker=mark, s=90, label=name, zorder=3)
    ax.axvline(problem.reservation[0], ls=":", c="0.4")
    ax.axhline(problem.reservation[1], ls=":", c="0.4")
    ax.set_xlabel(f"utility of {problem.parties[0]}")
    ax.set_ylabel(f"utility of {problem.parties[1]}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    try:
        save_figure(fig, path)
    except OSError as exc:
        raise BargainingError(f"{path}: cannot write the plot ({exc})") from exc
    finally:
        plt.close(fig)


def _frontier(
    domain: Annotated[str, typer.Argument(help=_DOMAIN_HELP)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Save a plot of outcomes, frontier and solutions.")
    ] = None,
    raw: Annotated[bool, typer.Option("--raw-scores", help=_RAW_HELP)] = False,
) -> None:
    """Print (and plot) the Pareto frontier, Nash, Kalai–Smorodinsky and other solution points."""
    problem = _load(domain, raw)
    analysis = analyse(problem.utilities, problem.reservation)
    if plot is not None:
        if problem.n_parties != 2:
            raise BargainingError("--plot draws two parties only")
        _plot(problem, analysis, plot)
    sols = {
        "nash": analysis.nash,
        "kalai_smorodinsky": analysis.kalai_smorodinsky,
        "utilitarian": analysis.utilitarian,
        "egalitarian": analysis.egalitarian,
    }
    if as_json:
        print_json(
            {
                "domain": domain,
                "parties": list(problem.parties),
                "n_outcomes": problem.n_outcomes,
                "reservation": _utils(problem, problem.reservation),
                "zopa_size": analysis.zopa_size,
                "frontier": [
                    {
                        "outcome": _labels(problem, int(c)),
                        "utilities": _utils(problem, problem.utilities[:, int(c)]),
                    }
                    for c in analysis.frontier
                ],
                **{k: _solution_json(problem, v) for k, v in sols.items()},
            }
        )
        return
    table = Table(
        title=f"Pareto frontier of {domain} ({problem.n_outcomes} outcomes, "
        f"{analysis.zopa_size} in the ZOPA)"
    )
    table.add_column("outcome")
    for p in problem.parties:
        table.add_column(p, justify="right")
    table.add_column("solution")
    marks: dict[int, list[str]] = {}
    for k, v in sols.items():
        if v is not None:
            marks.setdefault(v.outcome, []).append(k)
    for c in analysis.frontier:
        labels = _labels(problem, int(c)) or {}
        table.add_row(
            ", ".join(labels.values()),
            *(f"{x:.4g}" for x in problem.utilities[:, int(c)]),
            ", ".join(marks.get(int(c), [])),
        )
    console.print(table)
    if plot is not None:
        console.print(f"plot written to {plot}")


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    app.command("bargain")(_bargain)
    app.command("frontier")(_frontier)
