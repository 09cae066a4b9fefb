"""Running episodes: the sweep of `tradetalks run`, model-wide settings, the whole book."""

import numpy as np
import pandas as pd
import pytest
from _record import FORCED

from tradetalks.casebook import (
    ModelSettings,
    load_casebook,
    load_episode,
    run_casebook,
    score_forecasts,
)
from tradetalks.casebook._run import BATCH_SIZE, simulate
from tradetalks.game import (
    batch_plan,
    deal_shares,
    population_of,
    prepare_game,
    sample_parameters,
    sweep_batch,
    sweep_summary,
)
from tradetalks.scenario import load_scenario


@pytest.fixture(scope="module")
def autos():
    return prepare_game(load_scenario("us-japan-1995-autos"))


def test_default_settings_give_the_sweep_of_tradetalks_run(autos) -> None:
    n, seed = 600, 3
    ours = simulate(autos, ModelSettings(), n, seed)
    runs = pd.concat(
        [
            sweep_batch(autos, i, first, size, seed, None, population_of(()))["sessions"]
            for i, first, size in batch_plan(n, BATCH_SIZE)
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(ours, runs)


def test_settings_apply_to_every_party_and_threat(autos) -> None:
    params = sample_parameters(autos, 5, np.random.default_rng(0))
    assert np.all(ModelSettings(credibility=0.9).apply(params).credibility == 0.9)
    assert ModelSettings().apply(params) is params
    assert ModelSettings(strategy="linear").strategies(autos) == {"USA": "linear", "JPN": "linear"}
    assert ModelSettings().strategies(autos) is None
    assert ModelSettings().population_for(autos) == population_of(())
    assert ModelSettings(population=()).population_for(autos) is None
    assert ModelSettings(strategy="linear").population_for(autos) is None
    never = simulate(autos, ModelSettings(credibility=0.0), 300)
    assert not never["threat:section_301_luxury_cars"].any()


def test_a_balance_weight_scales_exactly_the_trade_balance_stakes(autos) -> None:
    balance = [k for k, spec in enumerate(autos.model.indicators)
               if spec.indicator == "trade_balance"]  # fmt: skip
    assert balance  # the 1995 US leader weighs the deficit with Japan
    others = np.setdiff1d(np.arange(autos.model.stake_weights.shape[1]), balance)
    written = autos.model.stake_weights
    for w in (0.0, 0.5):
        scaled = ModelSettings(balance_weight=w).setup_for(autos).model.stake_weights
        np.testing.assert_array_equal(scaled[:, balance], w * written[:, balance])
        np.testing.assert_array_equal(scaled[:, others], written[:, others])
    assert ModelSettings().setup_for(autos) is autos
    same = simulate(ModelSettings(balance_weight=1.0).setup_for(autos), ModelSettings(), 200)
    pd.testing.assert_frame_equal(same, simulate(autos, ModelSettings(), 200))


def test_whole_deals_in_the_sweep_summary(autos) -> None:
    sessions = simulate(autos, ModelSettings(), 500)
    summary = sweep_summary(autos, sessions)
    joint, timing = summary["joint"], summary["timing"]
    shares = [d["share"] for d in joint["deals"]]
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) + joint["other_deals"] == pytest.approx(summary["agreement_rate"])
    counts = sessions.loc[sessions["agreed"], "outcome"].value_counts() / len(sessions)
    for d in joint["deals"]:
        assert d["share"] == pytest.approx(counts[d["outcome"]])
        assert d["labels"] == autos.space.labels(d["outcome"])
    assert joint["distinct_deals"] == counts.size
    top = deal_shares(autos, sessions, top=2)
    assert [d["outcome"] for d in top["deals"]] == [d["outcome"] for d in joint["deals"][:2]]
    by_round = list(timing["by_round"].values())
    assert len(by_round) == timing["deadline_rounds"] == 12
    assert by_round == sorted(by_round)
    assert by_round[-1] == pytest.approx(summary["agreement_rate"])
    agreed_rounds = sessions.loc[sessions["agreed"], "rounds"]
    assert by_round[4] == pytest.approx((agreed_rounds <= 5).sum() / len(sessions))


def test_running_an_episode_reports_its_runtime_and_joint_outcomes() -> None:
    result = run_casebook([load_episode(FORCED)], sessions=100)
    (run,) = result.episodes
    assert run.sessions == 100 and run.pricing_s >= 0 and run.simulate_s > 0
    assert run.summary["joint"]["deals"][0]["labels"] == {"access": "closed"}
    assert set(result.to_dict()) >= {"questions", "episodes", "scores", "versus_naive"}


@pytest.mark.slow
def test_the_whole_casebook_runs_and_every_forecast_is_a_distribution() -> None:
    entries = load_casebook()
    result = run_casebook(entries, sessions=200)
    assert len(result.episodes) >= 10 and len(result.questions) >= 30
    for q in result.questions:
        for probs in q.probabilities.values():
            assert sum(probs.values()) == pytest.approx(1.0)
            assert all(0.0 <= p <= 1.0 for p in probs.values())
    for f, scores in result.scores.items():
        for interval in scores.values():
            assert interval.low <= interval.mean <= interval.high, f

    # Shuffle the record's yes/no answers across the book: the program's hit rate falls to
    # chance, a * q + (1 - a) * (1 - q) (a: share it answers yes, q: share of yes answers).
    binary = [(e, q) for e in entries for q in e.episode.questions if q.read.kind != "option"]
    program = {(q.episode, q.question): q.probabilities["program"] for q in result.questions}
    says_yes = np.array([_yes(program[(e.episode.id, q.id)]) for e, q in binary])
    answers = np.array([bool(q.answer) for _, q in binary])
    rng = np.random.default_rng(0)
    hits = []
    for _ in range(30):
        shuffled = iter(rng.permutation(answers))
        book = [_with_answers(e, shuffled) for e in entries]
        scored = score_forecasts(book, program, draws=1)
        hits.append(
            np.mean([q.scores["program"]["hit"] for q in scored.questions if q.kind != "option"])
        )
    q, a = answers.mean(), says_yes.mean()
    assert np.mean(hits) == pytest.approx(a * q + (1 - a) * (1 - q), abs=0.05)
    real = np.mean([q.scores["program"]["hit"] for q in result.questions if q.kind != "option"])
    assert real > np.mean(hits)


def _yes(probs: dict[str, float]) -> float:
    return 1.0 if probs["yes"] > 0.5 else 0.5 if probs["yes"] == 0.5 else 0.0


def _with_answers(entry, answers):
    questions = [
        q.model_copy(update={"answer": bool(next(answers))}) if q.read.kind != "option" else q
        for q in entry.episode.questions
    ]
    episode = entry.episode.model_copy(update={"questions": questions})
    return type(entry)(episode, entry.scenario, entry.scenario_text, entry.origin)
