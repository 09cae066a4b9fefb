"""The casebook scored: every question's forecasts beside the record, and the book's scores.

Three forecasters answer every question: the **program** (the share of simulated
sessions giving each answer), the **naive** rule (by the question's kind) and the **base
rate** of the question's kind among the *other* episodes' questions (leave one episode
out). Book scores are pooled over questions with bootstrap intervals over episodes; the
program's difference from the naive rule is bootstrapped paired (same resampled episodes).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradetalks._errors import InputError
from tradetalks.casebook._load import CaseEntry
from tradetalks.casebook._read import (
    NAIVE_RULES,
    Probabilities,
    answer_key,
    base_rate_probabilities,
    naive_probabilities,
    program_probabilities,
)
from tradetalks.casebook._run import (
    DEFAULT_SESSIONS,
    ModelSettings,
    Prepared,
    StepCallback,
    prepare_episodes,
    simulate,
)
from tradetalks.casebook._score import (
    BOOTSTRAP_DRAWS,
    METRICS,
    Interval,
    bootstrap_interval,
    question_scores,
)
from tradetalks.game import PriceCache, sweep_summary

FORECASTERS: tuple[str, ...] = ("program", "naive", "base_rate")
#: ``(episode id, question id)`` -> the program's probabilities.
Forecasts = Mapping[tuple[str, str], Probabilities]


@dataclass(frozen=True)
class QuestionResult:
    """One question: the record's answer and each forecaster's probabilities and scores."""

    episode: str
    question: str
    text: str
    kind: str
    record: str
    probabilities: dict[str, Probabilities]
    scores: dict[str, dict[str, float]]
    naive_rule: str = ""

    def answer(self, forecaster: str = "program") -> str:
        """The forecaster's answer: its most probable one (ties: the first listed)."""
        probs = self.probabilities[forecaster]
        return max(probs, key=lambda k: probs[k])


@dataclass(frozen=True)
class EpisodeRun:
    """What running one episode took and gave: seconds, sessions, the joint outcomes."""

    episode: str
    title: str
    pricing_s: float
    simulate_s: float
    sessions: int
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Pricing plus simulation."""
        return self.pricing_s + self.simulate_s


@dataclass(frozen=True)
class CasebookResult:
    """Questions, per-episode runs and the book's scores for each forecaster.

    ``scores[forecaster][metric]`` is the pooled mean with its bootstrap interval;
    ``versus_naive[metric]`` the program's score minus the naive rule's, paired.
    """

    settings: str
    questions: tuple[QuestionResult, ...]
    episodes: tuple[EpisodeRun, ...]
    scores: dict[str, dict[str, Interval]]
    versus_naive: dict[str, Interval]

    def by_kind(self) -> dict[str, dict[str, Any]]:
        """Per kind of question: how many, and each forecaster's mean hit rate and Brier score."""
        out: dict[str, dict[str, Any]] = {}
        for kind in dict.fromkeys(q.kind for q in self.questions):
            qs = [q for q in self.questions if q.kind == kind]
            row: dict[str, Any] = {"questions": len(qs)}
            for f in FORECASTERS:
                row[f] = {m: mean_score(qs, f, m) for m in ("hit", "brier")}
            out[kind] = row
        return out

    def by_episode(self) -> dict[str, dict[str, Any]]:
        """Per episode: how many questions, and each forecaster's mean hit, Brier, log loss.

        Plain means over the episode's questions: the bootstrap intervals of the book are
        over episodes, so one episode has none.
        """
        out: dict[str, dict[str, Any]] = {}
        for episode in dict.fromkeys(q.episode for q in self.questions):
            qs = [q for q in self.questions if q.episode == episode]
            row: dict[str, Any] = {"questions": len(qs)}
            for f in FORECASTERS:
                row[f] = {m: mean_score(qs, f, m) for m in METRICS}
            out[episode] = row
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {**asdict(self), "by_kind": self.by_kind()}


def _episode_groups(
    questions: Sequence[QuestionResult], values: Mapping[str, Sequence[float]]
) -> dict[str, list[list[float]]]:
    order = list(dict.fromkeys(q.episode for q in questions))
    out: dict[str, list[list[float]]] = {}
    for name, vals in values.items():
        groups: dict[str, list[float]] = {e: [] for e in order}
        for q, v in zip(questions, vals, strict=True):
            groups[q.episode].append(v)
        out[name] = list(groups.values())
    return out


def book_scores(
    questions: Sequence[QuestionResult], seed: int = 0, draws: int = BOOTSTRAP_DRAWS
) -> tuple[dict[str, dict[str, Interval]], dict[str, Interval]]:
    """Pooled scores of each forecaster and the program minus naive, bootstrapped by episode."""
    scores: dict[str, dict[str, Interval]] = {}
    for f in FORECASTERS:
        values = {m: [q.scores[f][m] for q in questions] for m in METRICS}
        groups = _episode_groups(questions, values)
        scores[f] = {m: bootstrap_interval(groups[m], draws, seed=seed) for m in METRICS}
    diffs = {m: [q.scores["program"][m] - q.scores["naive"][m] for q in questions]
             for m in METRICS}  # fmt: skip
    groups = _episode_groups(questions, diffs)
    return scores, {m: bootstrap_interval(groups[m], draws, seed=seed) for m in METRICS}


def score_forecasts(
    entries: Sequence[CaseEntry],
    program: Forecasts,
    *,
    settings: str = "scenarios as written",
    episodes: Sequence[EpisodeRun] = (),
    seed: int = 0,
    draws: int = BOOTSTRAP_DRAWS,
) -> CasebookResult:
    """Score the program's forecasts beside the naive rule and leave-one-episode-out base rates."""
    pool = [(q, e.scenario, e.episode.id) for e in entries for q in e.episode.questions]
    results = []
    for entry in entries:
        others = [(q, s) for q, s, ep in pool if ep != entry.episode.id]
        for q in entry.episode.questions:
            probs = {
                "program": dict(program[(entry.episode.id, q.id)]),
                "naive": naive_probabilities(q, entry.scenario),
                "base_rate": base_rate_probabilities(q, entry.scenario, others),
            }
            record = answer_key(q)
            results.append(QuestionResult(
                entry.episode.id, q.id, q.text, q.read.kind, record, probs,
                {f: question_scores(p, record) for f, p in probs.items()},
                NAIVE_RULES[q.read.kind]))  # fmt: skip
    scores, versus = book_scores(results, seed, draws)
    return CasebookResult(settings, tuple(results), tuple(episodes), scores, versus)


def forecast_episode(
    prepared: Prepared, sessions_df: pd.DataFrame
) -> dict[tuple[str, str], Probabilities]:
    """The program's probabilities for every question of an episode, from its sessions."""
    e = prepared.entry
    return {(e.episode.id, q.id): program_probabilities(q, e.scenario, sessions_df)
            for q in e.episode.questions}  # fmt: skip


def _summary(prepared: Prepared, sessions_df: pd.DataFrame) -> dict[str, Any]:
    full = sweep_summary(prepared.setup, sessions_df)
    keep = ("agreement_rate", "threat_carried_out", "joint", "timing")
    return {k: full[k] for k in keep}


def run_casebook(
    entries: Sequence[CaseEntry],
    settings: ModelSettings | None = None,
    *,
    sessions: int = DEFAULT_SESSIONS,
    seed: int = 0,
    cache: PriceCache | None = None,
    workers: int | None = None,
    on_step: StepCallback | None = None,
    prepared: Sequence[Prepared] | None = None,
) -> CasebookResult:
    """Run every episode under ``settings`` and score it against the record.

    ``on_step`` is called after each episode is priced and after each is simulated
    (``2 × len(entries)`` calls; fewer when ``prepared`` is given).
    """
    settings = settings or ModelSettings()
    if sessions < 1:
        raise InputError("sessions must be >= 1")
    prepared = list(prepared) if prepared is not None else prepare_episodes(
        entries, cache=cache, workers=workers, on_step=on_step)  # fmt: skip
    program: dict[tuple[str, str], Probabilities] = {}
    runs = []
    for p in prepared:
        start = time.perf_counter()
        df = simulate(p.setup, settings, sessions, seed)
        program.update(forecast_episode(p, df))
        runs.append(EpisodeRun(p.entry.episode.id, p.entry.episode.title, round(p.pricing_s, 3),
                               round(time.perf_counter() - start, 3), sessions,
                               _summary(p, df)))  # fmt: skip
        if on_step:
            on_step(f"simulated {p.entry.episode.id}")
    return score_forecasts(entries, program, settings=settings.label, episodes=runs, seed=seed)


def mean_score(questions: Sequence[QuestionResult], forecaster: str, metric: str) -> float:
    """Plain mean of one metric over ``questions`` (for model selection)."""
    return float(np.mean([q.scores[forecaster][metric] for q in questions]))
