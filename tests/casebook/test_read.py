"""Reading questions from sessions (joint, not marginal), the naive rule and LOO base rates."""

import pandas as pd
import pytest

from tradetalks.casebook import Question, load_casebook, score_forecasts
from tradetalks.casebook._read import (
    base_rate_probabilities,
    naive_probabilities,
    program_probabilities,
)
from tradetalks.scenario import load_scenario

AUTOS = load_scenario("us-japan-1995-autos")


def _sessions(rows: list[dict]) -> pd.DataFrame:
    """Sessions in the layout of the sweep's table; issues default to their status quo."""
    out = []
    for k, r in enumerate(rows):
        agreed = r.get("agreed", True)
        row = {
            "session": k,
            "agreed": agreed,
            "rounds": r.get("rounds", 12),
            "threat:section_301_luxury_cars": r.get("threat", False),
        }
        for issue in AUTOS.issues:
            row[f"issue:{issue.id}"] = r.get(issue.id, issue.status_quo) if agreed else ""
        out.append(row)
    return pd.DataFrame(out)


def _q(read: dict, answer: bool | str = True) -> Question:
    return Question.model_validate(
        {
            "id": "q",
            "text": "?",
            "read": read,
            "answer": answer,
            "sources": ["s"],
            "record": [{"path": "x", "value": 1}],
        }
    )


SESSIONS = _sessions(
    [
        {"dealer_access": "open", "replacement_parts": "controlled", "rounds": 5},
        {"dealer_access": "closed", "replacement_parts": "deregulated", "rounds": 12},
        {"agreed": False, "threat": True, "rounds": 12},
        {"dealer_access": "open", "replacement_parts": "deregulated", "rounds": 12},
    ]
)


def test_yes_no_readings_count_the_sessions() -> None:
    def p(read: dict) -> float:
        return program_probabilities(_q(read), AUTOS, SESSIONS)["yes"]

    assert p({"kind": "agreement"}) == 0.75
    assert p({"kind": "agreement_by", "round": 11}) == 0.25
    assert p({"kind": "threat", "threat": "section_301_luxury_cars"}) == 0.25
    # no deal leaves every issue at its status quo
    assert p({"kind": "settled", "issue": "dealer_access", "options": ["closed"]}) == 0.5
    assert p({"kind": "moved", "issues": ["dealer_access", "replacement_parts"]}) == 0.25
    assert (
        p({"kind": "moved", "issues": ["dealer_access", "replacement_parts"], "how": "any"}) == 0.75
    )


def test_joint_questions_come_from_whole_sessions_not_marginals() -> None:
    read = {
        "kind": "joint",
        "issues": {"dealer_access": ["open"], "replacement_parts": ["deregulated"]},
    }
    joint = program_probabilities(_q(read), AUTOS, SESSIONS)["yes"]
    opened = program_probabilities(
        _q({"kind": "settled", "issue": "dealer_access", "options": ["open"]}), AUTOS, SESSIONS
    )["yes"]
    deregulated = program_probabilities(
        _q({"kind": "settled", "issue": "replacement_parts", "options": ["deregulated"]}),
        AUTOS,
        SESSIONS,
    )["yes"]
    assert (opened, deregulated, joint) == (0.5, 0.5, 0.25)
    apart = _sessions(
        [
            {"dealer_access": "open"},
            {"replacement_parts": "deregulated"},
        ]
    )
    assert program_probabilities(_q(read), AUTOS, apart)["yes"] == 0.0  # marginals 0.5 each


def test_categorical_reading_gives_a_distribution_over_options() -> None:
    probs = program_probabilities(
        _q({"kind": "option", "issue": "dealer_access"}, "open"), AUTOS, SESSIONS
    )
    assert probs == {"closed": 0.5, "some_foreign_dealers": 0.0, "open": 0.5}


def test_naive_rule_follows_the_kind_not_the_answer() -> None:
    for answer in (True, False):
        assert naive_probabilities(_q({"kind": "agreement"}, answer), AUTOS)["yes"] == 1.0
        assert (
            naive_probabilities(_q({"kind": "agreement_by", "round": 3}, answer), AUTOS)["yes"]
            == 1.0
        )
        threat = {"kind": "threat", "threat": "section_301_luxury_cars"}
        assert naive_probabilities(_q(threat, answer), AUTOS)["yes"] == 0.0
        moved = {"kind": "moved", "issues": ["dealer_access"]}
        assert naive_probabilities(_q(moved, answer), AUTOS)["yes"] == 0.0
        # a refused demand stays refused: the status quo holds
        stays = {"kind": "settled", "issue": "dealer_access", "options": ["closed", "open"]}
        changes = {"kind": "settled", "issue": "dealer_access", "options": ["open"]}
        assert naive_probabilities(_q(stays, answer), AUTOS)["yes"] == 1.0
        assert naive_probabilities(_q(changes, answer), AUTOS)["yes"] == 0.0
    option = _q({"kind": "option", "issue": "dealer_access"}, "open")
    assert naive_probabilities(option, AUTOS)["closed"] == 1.0


def test_base_rate_is_laplace_smoothed_over_the_same_kind() -> None:
    others = [(_q({"kind": "agreement"}, a), AUTOS) for a in (True, True, True, False)]
    others += [(_q({"kind": "threat", "threat": "section_301_luxury_cars"}, False), AUTOS)]
    p = base_rate_probabilities(_q({"kind": "agreement"}), AUTOS, others)
    assert p["yes"] == pytest.approx((3 + 1) / (4 + 2))
    empty = base_rate_probabilities(_q({"kind": "moved", "issues": ["dealer_access"]}), AUTOS, [])
    assert empty["yes"] == 0.5
    option = _q({"kind": "option", "issue": "dealer_access"}, "open")
    cats = base_rate_probabilities(option, AUTOS, [(option, AUTOS)])  # answer was not the SQ
    assert cats["closed"] == pytest.approx(1 / 3)
    assert sum(cats.values()) == pytest.approx(1.0)


def test_base_rates_never_see_the_episodes_own_answers() -> None:
    entries = load_casebook(["us-japan-1995-autos", "us-korea-2018-korus"])
    program = {
        (e.episode.id, q.id): {"yes": 0.5, "no": 0.5} if q.read.kind != "option" else {}
        for e in entries
        for q in e.episode.questions
    }
    before = score_forecasts(entries, program)
    flipped_episode = entries[0].episode.model_copy(
        update={
            "questions": [
                q.model_copy(update={"answer": not q.answer}) for q in entries[0].episode.questions
            ]
        }
    )
    flipped = [type(entries[0])(flipped_episode, entries[0].scenario, "", ""), entries[1]]
    after = score_forecasts(flipped, program)
    own = entries[0].episode.id
    for a, b in zip(before.questions, after.questions, strict=True):
        if a.episode == own:
            assert a.probabilities["base_rate"] == b.probabilities["base_rate"]
        else:  # the other episode's base rates do move with these answers
            assert a.kind not in {q.read.kind for q in flipped_episode.questions} or (
                a.probabilities["base_rate"] != b.probabilities["base_rate"]
            )


def test_every_kind_has_a_naive_rule() -> None:
    from tradetalks.casebook import KINDS
    from tradetalks.casebook._read import NAIVE_RULES

    assert set(NAIVE_RULES) == set(KINDS)
