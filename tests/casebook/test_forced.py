"""A hand-made episode whose answers are forced scores 100%; shuffled answers score chance."""

import numpy as np
import pytest
from _record import FORCED
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks.casebook import load_episode, run_casebook, score_forecasts
from tradetalks.game import analysis_summary, prepare_game, scenario_parameters, solve_game


def test_the_forced_game_has_one_deal_and_a_threat_that_hurts_its_maker() -> None:
    entry = load_episode(FORCED)
    setup = prepare_game(entry.scenario)
    summary = analysis_summary(setup, solve_game(setup, scenario_parameters(setup)))
    assert summary["zopa_size"] == 1
    (threat,) = summary["threats"]
    assert not threat["credible"]
    assert threat["value"]["USA"] < summary["status_quo"]["USA"]  # it would hurt the US


def test_a_forced_episode_scores_one_hundred_percent() -> None:
    entry = load_episode(FORCED)
    result = run_casebook([entry], sessions=300)
    assert result.scores["program"]["hit"].mean == 1.0
    assert result.scores["program"]["brier"].mean == 0.0
    assert all(q.scores["program"]["hit"] == 1.0 for q in result.questions)
    assert {q.kind for q in result.questions} >= {
        "agreement",
        "threat",
        "settled",
        "moved",
        "option",
    }


FORCED_ENTRY = load_episode(FORCED)


def _shuffled(entry, rng: np.random.Generator):
    answers = [q.answer for q in entry.episode.questions]
    order = rng.permutation(len(answers))
    questions = [
        q.model_copy(update={"answer": answers[k]})
        for q, k in zip(entry.episode.questions, order, strict=True)
    ]
    return type(entry)(
        entry.episode.model_copy(update={"questions": questions}),
        entry.scenario,
        entry.scenario_text,
        entry.origin,
    )


@settings(max_examples=10, deadline=None)
@given(answers=st.lists(st.booleans(), min_size=8, max_size=24), seed=st.integers(0, 2**16))
def test_shuffling_the_record_gives_the_chance_hit_rate(answers: list[bool], seed: int) -> None:
    """A forecaster that knows every answer scores exactly the share of shuffled answers that
    still match, and on average the chance rate q^2 + (1 - q)^2."""
    entry = FORCED_ENTRY
    template = next(q for q in entry.episode.questions if q.read.kind == "agreement")
    questions = [
        template.model_copy(update={"id": f"q{k}", "answer": a}) for k, a in enumerate(answers)
    ]
    entry = type(entry)(
        entry.episode.model_copy(update={"questions": questions}), entry.scenario, "", ""
    )
    program = {
        (entry.episode.id, q.id): {"yes": float(q.answer), "no": 1.0 - float(q.answer)}
        for q in questions
    }
    assert score_forecasts([entry], program, draws=1).scores["program"]["hit"].mean == 1.0
    rng = np.random.default_rng(seed)
    hits = []
    for _ in range(50):
        shuffled = _shuffled(entry, rng)
        match = np.mean(
            [
                a.answer == b.answer
                for a, b in zip(entry.episode.questions, shuffled.episode.questions, strict=True)
            ]
        )
        score = score_forecasts([shuffled], program, draws=1).scores["program"]["hit"].mean
        assert score == pytest.approx(match)
        hits.append(score)
    # after a uniform permutation each position holds a uniform draw of the answers, so it
    # matches with probability q (a yes) or 1 - q (a no): on average q^2 + (1 - q)^2
    q = float(np.mean(answers))
    chance = q**2 + (1.0 - q) ** 2
    assert np.mean(hits) == pytest.approx(chance, abs=4 * np.std(hits) / np.sqrt(len(hits)) + 0.02)
