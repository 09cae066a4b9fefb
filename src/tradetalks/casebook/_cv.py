"""Choosing model-wide settings on the casebook without scoring in-sample.

Leave one episode out (LOO): for each episode, the setting of the grid with the best mean
score on the *other* episodes' questions is chosen, and that setting's forecasts of the
held-out episode are scored. The cross-validated score is what the README reports; the
in-sample score of each setting is shown beside it only to see how much choosing costs.
Ties go to the earlier setting of the grid (the scenarios as written come first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from tradetalks._errors import InputError, Problem
from tradetalks.casebook._book import (
    CasebookResult,
    EpisodeRun,
    mean_score,
    run_casebook,
    score_forecasts,
)
from tradetalks.casebook._load import CaseEntry
from tradetalks.casebook._read import Probabilities
from tradetalks.casebook._run import DEFAULT_SESSIONS, ModelSettings, StepCallback, prepare_episodes
from tradetalks.game import PriceCache

Metric = Literal["brier", "log_loss", "hit"]

#: The declared grid of model-wide settings: extend it (or pass your own) to try more.
DEFAULT_GRID: tuple[ModelSettings, ...] = (
    ModelSettings(),
    ModelSettings("boulware e=0.2 for all", strategy="boulware:e=0.2"),
    ModelSettings("linear for all", strategy="linear"),
    ModelSettings("conceder e=2 for all", strategy="conceder:e=2"),
    ModelSettings("threat credibility 0.2", credibility=0.2),
    ModelSettings("threat credibility 0.8", credibility=0.8),
    ModelSettings("trade balances not weighed (Grossman-Helpman)", balance_weight=0.0),
)


@dataclass(frozen=True)
class CrossValidation:
    """The leave-one-episode-out result, the setting chosen for each episode, in-sample scores."""

    result: CasebookResult
    metric: str
    chosen: dict[str, str]
    in_sample: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


def _better(metric: Metric, a: float, b: float) -> bool:
    return a > b + 1e-12 if metric == "hit" else a < b - 1e-12


def choose_settings(
    results: Sequence[CasebookResult], episode: str, metric: Metric = "brier"
) -> int:
    """Index of the result whose program scores best on every episode but ``episode``."""
    best, best_value = 0, None
    for k, r in enumerate(results):
        rest = [q for q in r.questions if q.episode != episode]
        value = mean_score(rest, "program", metric)
        if best_value is None or _better(metric, value, best_value):
            best, best_value = k, value
    return best


def cross_validate(
    entries: Sequence[CaseEntry],
    grid: Sequence[ModelSettings] = DEFAULT_GRID,
    *,
    metric: Metric = "brier",
    sessions: int = DEFAULT_SESSIONS,
    seed: int = 0,
    cache: PriceCache | None = None,
    workers: int | None = None,
    on_step: StepCallback | None = None,
) -> CrossValidation:
    """Leave-one-episode-out choice of model-wide settings over ``grid``, scored out of sample.

    ``on_step`` is called ``len(entries) × (1 + len(grid))`` times.
    """
    if not grid:
        raise ValueError("the grid of settings is empty")
    if len(entries) < 2:
        # With one episode there is no other episode to choose the settings on.
        raise InputError(
            "leave-one-episode-out needs at least 2 episodes",
            [Problem("episodes", "", f"got {len(entries)}; drop --cv or name more episodes")],
        )
    labels = [g.label for g in grid]
    if len(set(labels)) < len(labels):
        raise ValueError(f"settings of a grid need distinct labels, got {labels}")
    prepared = prepare_episodes(entries, cache=cache, workers=workers, on_step=on_step)
    results = [run_casebook(entries, s, sessions=sessions, seed=seed, prepared=prepared,
                            on_step=on_step) for s in grid]  # fmt: skip
    chosen: dict[str, str] = {}
    picks: list[int] = []
    program: dict[tuple[str, str], Probabilities] = {}
    for entry in entries:
        name = entry.episode.id
        k = choose_settings(results, name, metric)
        chosen[name] = grid[k].label
        picks.append(k)
        for q in results[k].questions:
            if q.episode == name:
                program[(name, q.question)] = q.probabilities["program"]
    runs = [_total([r.episodes[i] for r in results], picks[i]) for i in range(len(entries))]
    label = f"settings chosen leave-one-episode-out from {len(grid)}"
    final = score_forecasts(entries, program, settings=label, episodes=runs, seed=seed)
    in_sample = {g.label: {m: mean_score(list(r.questions), "program", m)
                           for m in ("hit", "brier", "log_loss")}
                 for g, r in zip(grid, results, strict=True)}  # fmt: skip
    return CrossValidation(final, metric, chosen, in_sample)


def _total(runs: Sequence[EpisodeRun], chosen: int) -> EpisodeRun:
    """One episode's runs under every setting as one.

    Priced once, simulations summed, the joint outcomes of the setting chosen for it.
    """
    first = runs[0]
    return EpisodeRun(first.episode, first.title, first.pricing_s,
                      round(sum(r.simulate_s for r in runs), 3),
                      sum(r.sessions for r in runs), runs[chosen].summary)  # fmt: skip
