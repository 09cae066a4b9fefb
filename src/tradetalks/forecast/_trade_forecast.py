"""Spatial forecasts of a trade scenario beside the distribution of its simulated talks.

The spatial models (:func:`~tradetalks.forecast.default_models`) are fit on the bundled
DEU issues (only the stacked model learns anything there; the others record the scale)
and predict the scenario's :class:`~tradetalks.forecast.ScenarioView`. The simulated
talks follow the main job's uncertainty sweep (``tradetalks run``): batch ``b`` (from 1)
of ``batch_size`` sessions draws parameters from ``numpy.random.default_rng([seed, b])``,
solves the game and runs the talks, so the same seed, session count and batch size give
the same sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradetalks._errors import ForecastError
from tradetalks.forecast._base import SpatialModel
from tradetalks.forecast._issues import FloatArray, IssueSet
from tradetalks.forecast._loaders import load_deu
from tradetalks.forecast._trade import Hold, ScenarioView, scenario_view
from tradetalks.game import GameSetup, run_talks, sample_parameters, solve_game

NO_DEAL = "(no deal)"
#: Sessions per batch of the main job's ``tradetalks run`` (its ``--batch-size`` default).
DEFAULT_BATCH_SIZE = 250


@dataclass(frozen=True)
class TalksDistribution:
    """Where the simulated talks settle each issue.

    ``shares[issue][option]`` is the share of sessions agreeing on that option, with
    ``"(no deal)"`` the share without agreement (each issue's shares sum to 1);
    ``modal`` is the most frequent end (no deal included), ``modal_agreed`` the most
    frequent agreed option (``None`` without any agreement); ``mean_position[issue]`` the
    mean scale position of the agreed options (``None`` without any agreement),
    comparable with the spatial forecasts.
    """

    sessions: int
    seed: int
    batch_size: int
    deal_share: float
    shares: Mapping[str, Mapping[str, float]]
    modal: Mapping[str, str]
    modal_agreed: Mapping[str, str | None]
    mean_position: Mapping[str, float | None]


def simulate_talks(
    setup: GameSetup,
    view: ScenarioView,
    sessions: int,
    seed: int = 0,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> TalksDistribution:
    """Run the uncertainty sweep and summarise it per issue (see the module docstring).

    ``on_batch(size)`` is called after each batch (for a progress bar).
    """
    if sessions < 1 or batch_size < 1:
        raise ForecastError(f"sessions and batch size must be >= 1, got {sessions}, {batch_size}")
    codes: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    for b, first in enumerate(range(0, sessions, batch_size), start=1):
        size = min(batch_size, sessions - first)
        rng = np.random.default_rng([seed, b])
        state = solve_game(setup, sample_parameters(setup, size, rng))
        result = run_talks(setup, state, rng)
        codes.append(np.where(result.agreed, result.batch.agreement, -1).astype(np.int64))
        if on_batch is not None:
            on_batch(size)
    agreement = np.concatenate(codes)
    agreed = agreement >= 0
    chosen = setup.options[agreement[agreed]]  # (deals, issues)
    n = agreement.size
    shares: dict[str, dict[str, float]] = {}
    modal: dict[str, str] = {}
    modal_agreed: dict[str, str | None] = {}
    mean_position: dict[str, float | None] = {}
    for k, issue_id in enumerate(view.issues.issue_ids):
        counts = np.bincount(chosen[:, k], minlength=len(view.option_ids[k]))
        row = {o: float(c) / n for o, c in zip(view.option_ids[k], counts, strict=True)}
        row[NO_DEAL] = float((~agreed).sum()) / n
        shares[issue_id] = row
        modal[issue_id] = max(row, key=lambda o: row[o])
        best = int(np.argmax(counts))  # first of tied options, as max() above
        modal_agreed[issue_id] = view.option_ids[k][best] if agreed.any() else None
        mean_position[issue_id] = (
            float(view.option_position[k][chosen[:, k]].mean()) if agreed.any() else None
        )
    return TalksDistribution(
        sessions=n,
        seed=seed,
        batch_size=batch_size,
        deal_share=float(agreed.mean()),
        shares=shares,
        modal=modal,
        modal_agreed=modal_agreed,
        mean_position=mean_position,
    )


def spatial_forecasts(
    issues: IssueSet,
    models: Mapping[str, SpatialModel] | None = None,
    training: IssueSet | None = None,
    *,
    on_model: Callable[[str], None] | None = None,
) -> dict[str, FloatArray]:
    """Each model's forecast of each issue, fit on ``training`` (default: bundled DEU issues)."""
    from tradetalks.forecast import default_models  # the registry lives in the package

    chosen = dict(default_models() if models is None else models)
    train = load_deu() if training is None else training
    out: dict[str, FloatArray] = {}
    for name, model in chosen.items():
        out[name] = model.fit(train).predict(issues)
        if on_model is not None:
            on_model(name)
    return out


@dataclass(frozen=True, eq=False)
class ScenarioForecast:
    """The spatial view, each spatial model's forecast and the simulated talks, side by side."""

    view: ScenarioView
    forecasts: Mapping[str, FloatArray]  # model -> (issues,) positions on the scale
    talks: TalksDistribution

    def nearest(self, model: str, issue: int) -> str | None:
        """The option nearest to ``model``'s forecast of ``issue``."""
        return self.view.nearest_option(issue, float(self.forecasts[model][issue]))

    def comparison(self) -> dict[str, dict[str, float | int | None]]:
        """How close each spatial model comes to the simulated talks, over issues with deals.

        ``mean_abs_diff``: mean of ``|forecast − mean agreed position|`` (scale points);
        ``same_option``: issues whose nearest option is the talks' modal agreed option;
        ``issues``: issues compared (those with at least one agreement and a forecast).
        """
        t = self.talks
        out: dict[str, dict[str, float | int | None]] = {}
        for name, f in self.forecasts.items():
            diffs: list[float] = []
            same = 0
            for k, issue in enumerate(self.view.issues.issue_ids):
                target = t.mean_position[issue]
                if target is None or np.isnan(f[k]):
                    continue
                diffs.append(abs(float(f[k]) - target))
                same += self.nearest(name, k) == t.modal_agreed[issue]
            out[name] = {
                "mean_abs_diff": float(np.mean(diffs)) if diffs else None,
                "same_option": same,
                "issues": len(diffs),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        out = self.view.to_dict()
        t = self.talks
        for k, entry in enumerate(out["issues"]):
            issue = entry["issue"]
            entry["forecasts"] = {
                name: {
                    "position": None if np.isnan(f[k]) else float(f[k]),
                    "option": self.nearest(name, k),
                }
                for name, f in self.forecasts.items()
            }
            entry["talks"] = {
                "shares": dict(t.shares[issue]),
                "modal": t.modal[issue],
                "modal_agreed": t.modal_agreed[issue],
                "mean_position": t.mean_position[issue],
            }
        out["talks"] = {
            "sessions": t.sessions,
            "seed": t.seed,
            "batch_size": t.batch_size,
            "deal_share": t.deal_share,
        }
        out["comparison"] = self.comparison()
        return out


def forecast_scenario(
    setup: GameSetup,
    *,
    sessions: int = 1000,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    hold: Hold = "status_quo",
    models: Mapping[str, SpatialModel] | None = None,
    training: IssueSet | None = None,
    on_model: Callable[[str], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> ScenarioForecast:
    """Spatial view, spatial forecasts and simulated talks of a priced scenario."""
    view = scenario_view(setup, hold=hold)
    forecasts = spatial_forecasts(view.issues, models, training, on_model=on_model)
    talks = simulate_talks(setup, view, sessions, seed, batch_size=batch_size, on_batch=on_batch)
    return ScenarioForecast(view, forecasts, talks)
