"""``tradetalks casebook``: score the two-level game against the historical record.

The pipeline is :mod:`tradetalks.casebook` (load, run, score, cross-validate); this module
only parses options, shows one progress bar and prints what the library returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tradetalks._errors import InputError
from tradetalks.casebook import (
    DEFAULT_GRID,
    FORECASTERS,
    CasebookResult,
    CrossValidation,
    Interval,
    QuestionResult,
    cross_validate,
    load_casebook,
    run_casebook,
)
from tradetalks.cli._common import console, print_json, progress
from tradetalks.store import RunStore

_NAMES = {"program": "tradetalks", "naive": "naive rule", "base_rate": "base rate (LOO)"}
_METRICS = (("hit", "hit rate", "{:.0%}"), ("brier", "Brier", "{:.3f}"),
            ("log_loss", "log loss", "{:.2f}"))  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``casebook`` to ``app``."""
    app.command("casebook")(casebook)


def _episodes(given: list[str] | None) -> list[str] | None:
    names = [n.strip() for item in given or [] for n in item.split(",") if n.strip()]
    return names or None


def _p(q: QuestionResult, forecaster: str) -> str:
    probs = q.probabilities[forecaster]
    if "yes" in probs:
        return f"{probs['yes']:.2f}"
    return f"{q.answer(forecaster)} {probs[q.answer(forecaster)]:.2f}"


def _questions_table(result: CasebookResult) -> Table:
    t = Table(title="Questions: probability of yes (or of the likeliest option) by tradetalks "
              "(model), the naive rule and the base rate", title_justify="left")  # fmt: skip
    width = max(
        [len(q.episode) for q in result.questions] + [len(q.question) + 2 for q in result.questions]
    )
    t.add_column("question", min_width=width, no_wrap=True)
    for name in ("kind", "model", "answer", "record", "naive", "base"):
        left = name in ("kind", "answer", "record")
        t.add_column(name, justify="left" if left else "right")
    episode = None
    for q in result.questions:
        if q.episode != episode:
            episode = q.episode
            t.add_section()
            t.add_row(f"[bold]{episode}[/]")
        mark = "✓" if q.scores["program"]["hit"] == 1.0 else "✗"
        t.add_row(f"  {q.question}", q.kind, _p(q, "program"), f"{q.answer()} {mark}",
                  q.record, _p(q, "naive"), _p(q, "base_rate"))  # fmt: skip
    return t


def _cell(i: Interval, fmt: str) -> str:
    return f"{fmt.format(i.mean)} [{fmt.format(i.low)}, {fmt.format(i.high)}]"


def _scores_table(result: CasebookResult, title: str) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("forecaster")
    for _, label, _ in _METRICS:
        t.add_column(f"{label} [95% CI]", justify="right")
    for f in FORECASTERS:
        t.add_row(_NAMES[f], *(_cell(result.scores[f][m], fmt) for m, _, fmt in _METRICS))
    t.add_row(
        "tradetalks − naive",
        *(_cell(result.versus_naive[m], fmt.replace("{:", "{:+")) for m, _, fmt in _METRICS),
    )
    return t


def _episodes_table(result: CasebookResult) -> Table:
    t = Table(title="Episodes (runtime per episode)", title_justify="left")
    for name in ("episode", "questions", "hits", "deal", "pricing s", "simulation s", "sessions"):
        t.add_column(name, justify="left" if name == "episode" else "right")
    for e in result.episodes:
        qs = [q for q in result.questions if q.episode == e.episode]
        hits = sum(q.scores["program"]["hit"] for q in qs)
        deal = e.summary.get("agreement_rate")
        t.add_row(e.episode, str(len(qs)), f"{hits:g}", "" if deal is None else f"{deal:.0%}",
                  f"{e.pricing_s:.2f}", f"{e.simulate_s:.2f}", str(e.sessions))  # fmt: skip
    return t


def _kinds_table(result: CasebookResult) -> Table:
    t = Table(title="Hit rate by kind of question", title_justify="left")
    t.add_column("kind")
    t.add_column("questions", justify="right")
    for f in FORECASTERS:
        t.add_column(_NAMES[f], justify="right")
    for kind, row in result.by_kind().items():
        t.add_row(kind, str(row["questions"]), *(f"{row[f]['hit']:.0%}" for f in FORECASTERS))
    return t


def _print(result: CasebookResult, cv: CrossValidation | None) -> None:
    console.print(_questions_table(result))
    console.print(_episodes_table(result))
    console.print(_kinds_table(result))
    n_ep = len({q.episode for q in result.questions})
    title = (f"The casebook: {len(result.questions)} questions, {n_ep} episodes, "
             f"{result.settings} (95% bootstrap intervals over episodes)")  # fmt: skip
    console.print(_scores_table(result, title))
    if cv is not None:
        t = Table(title=f"Setting chosen by {cv.metric} on the other episodes",
                  title_justify="left")  # fmt: skip
        t.add_column("episode")
        t.add_column("setting")
        for episode, label in cv.chosen.items():
            t.add_row(episode, label)
        console.print(t)
        s = Table(title="In-sample scores (not the reported score)", title_justify="left")
        s.add_column("setting")
        for _, label, _ in _METRICS:
            s.add_column(label, justify="right")
        for label, scores in cv.in_sample.items():
            s.add_row(label, *(fmt.format(scores[m]) for m, _, fmt in _METRICS))
        console.print(s)


def casebook(
    episodes: Annotated[
        list[str] | None,
        typer.Option(
            "--episodes",
            "-e",
            help="Episode ids or folders (repeat or comma-separate; "
            "default: every built-in episode).",
        ),
    ] = None,
    sessions: Annotated[int, typer.Option("--sessions", "-n", help="Sessions per episode.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random draw.")] = 0,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv",
            help="Choose model-wide settings by leave-one-episode-out "
            "cross-validation over the declared grid; report the out-of-sample score.",
        ),
    ] = False,
    store: Annotated[
        Path | None, typer.Option("--store", help="Run store file holding cached prices.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes for pricing (default: all).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run every episode and score the program against the record, the naive rule and base rates."""
    if sessions < 1:
        raise InputError("--sessions must be >= 1")
    entries = load_casebook(_episodes(episodes))
    steps = len(entries) * (1 + (len(DEFAULT_GRID) if cv else 1))
    with RunStore(store) as cache, progress() as bar:
        task = bar.add_task("casebook", total=steps)

        def step(what: str) -> None:
            bar.update(task, advance=1, description=what)

        if cv:
            cross = cross_validate(entries, sessions=sessions, seed=seed, cache=cache,
                                   workers=workers, on_step=step)  # fmt: skip
            result: CasebookResult = cross.result
        else:
            cross = None
            result = run_casebook(entries, sessions=sessions, seed=seed, cache=cache,
                                  workers=workers, on_step=step)  # fmt: skip
    if json:
        payload: dict[str, Any] = cross.to_dict() if cross is not None else result.to_dict()
        print_json(payload)
    else:
        _print(result, cross)
