"""Reading a question's answer from simulated sessions, from the naive rule, from base rates.

Every forecaster gives a question a probability for each possible answer: ``yes``/``no``
for yes/no questions, each option id for categorical ones. The program's probabilities
come from the joint distribution of whole sessions (one row per session: deal or not,
the option of every issue, the round, which threats were carried out), so a question over
several issues is answered from the sessions that satisfy all of it at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks.casebook._model import Question
from tradetalks.scenario import Scenario

BoolArray = npt.NDArray[np.bool_]
Probabilities = dict[str, float]

YES, NO = "yes", "no"

#: The part of the naive rule each kind of question follows.
NAIVE_RULES: dict[str, str] = {
    "agreement": "talks end in a deal",
    "agreement_by": "talks end in a deal",
    "threat": "threats are not carried out",
    "settled": "a refused demand stays refused (status quo)",
    "joint": "a refused demand stays refused (status quo)",
    "moved": "a refused demand stays refused (status quo)",
    "option": "a refused demand stays refused (status quo)",
}


def answer_key(question: Question) -> str:
    """The record's answer as a key of the probabilities (``yes``, ``no`` or an option id)."""
    if isinstance(question.answer, bool):
        return YES if question.answer else NO
    return question.answer


def answer_keys(question: Question, scenario: Scenario) -> list[str]:
    """Every possible answer of the question, in order."""
    if question.read.kind == "option":
        return scenario.issue(question.read.issue).option_ids()
    return [YES, NO]


def _status_quo(question: Question, scenario: Scenario) -> str:
    """The status quo of the issue a categorical question asks about."""
    assert question.read.kind == "option"
    return scenario.issue(question.read.issue).status_quo


def _binary(p: float) -> Probabilities:
    p = float(min(max(p, 0.0), 1.0))
    return {YES: p, NO: 1.0 - p}


def final_options(scenario: Scenario, sessions: pd.DataFrame, issue: str) -> npt.NDArray[np.str_]:
    """The option ``issue`` ends on in each session: the deal's, or the status quo."""
    agreed = sessions["agreed"].to_numpy(dtype=bool)
    column = sessions[f"issue:{issue}"].to_numpy(dtype=str)
    return np.where(agreed, column, scenario.issue(issue).status_quo)


def _moved(scenario: Scenario, sessions: pd.DataFrame, issues: Iterable[str]) -> BoolArray:
    """``(issues, sessions)``: whether a deal moved each issue off its status quo."""
    agreed = sessions["agreed"].to_numpy(dtype=bool)
    return np.array(
        [agreed & (final_options(scenario, sessions, i) != scenario.issue(i).status_quo)
         for i in issues]
    )  # fmt: skip


def session_answers(question: Question, scenario: Scenario, sessions: pd.DataFrame) -> BoolArray:
    """For a yes/no question: whether each session's outcome answers it with yes."""
    r = question.read
    agreed = sessions["agreed"].to_numpy(dtype=bool)
    out: npt.ArrayLike
    match r.kind:
        case "agreement":
            out = agreed
        case "agreement_by":
            out = agreed & (sessions["rounds"].to_numpy() <= r.round)
        case "threat":
            out = sessions[f"threat:{r.threat}"].to_numpy(dtype=bool)
        case "settled":
            out = np.isin(final_options(scenario, sessions, r.issue), r.options)
        case "joint":
            inside = np.array([np.isin(final_options(scenario, sessions, i), opts)
                               for i, opts in r.issues.items()])  # fmt: skip
            out = inside.all(axis=0)
        case "moved":
            moved = _moved(scenario, sessions, r.issues)
            out = moved.all(axis=0) if r.how == "all" else moved.any(axis=0)
        case _:
            raise ValueError(f"{question.id}: a categorical question has no yes/no sessions")
    return np.asarray(out, dtype=bool)


def program_probabilities(
    question: Question, scenario: Scenario, sessions: pd.DataFrame
) -> Probabilities:
    """The program's probabilities: the share of sessions giving each answer."""
    n = max(len(sessions), 1)
    if question.read.kind == "option":
        final = final_options(scenario, sessions, question.read.issue)
        return {o: float((final == o).sum()) / n for o in answer_keys(question, scenario)}
    return _binary(float(session_answers(question, scenario, sessions).sum()) / n)


def naive_probabilities(question: Question, scenario: Scenario) -> Probabilities:
    """The naive rule, by the question's kind (see :mod:`tradetalks.casebook._model`).

    Talks end in a deal (``agreement``, ``agreement_by``: yes); threats are not carried
    out (``threat``: no); a demand the other side has publicly refused stays refused, so
    every issue stays at its status quo (``settled``, ``joint``: yes if every status quo is
    among the listed options; ``moved``: no; ``option``: the status quo).
    """
    r = question.read
    match r.kind:
        case "agreement" | "agreement_by":
            return _binary(1.0)
        case "threat" | "moved":
            return _binary(0.0)
        case "settled":
            return _binary(float(scenario.issue(r.issue).status_quo in r.options))
        case "joint":
            stay = all(scenario.issue(i).status_quo in o for i, o in r.issues.items())
            return _binary(float(stay))
        case _:
            sq = scenario.issue(r.issue).status_quo
            return {o: float(o == sq) for o in answer_keys(question, scenario)}


def base_rate_probabilities(
    question: Question, scenario: Scenario, others: Iterable[tuple[Question, Scenario]]
) -> Probabilities:
    """The base rate of the question's kind among ``others`` (questions of other episodes).

    Yes/no kinds: the share of yes answers, with add-one (Laplace) smoothing,
    ``(yes + 1) / (n + 2)``. ``option``: the share of answers that were the status quo,
    smoothed the same way, given to this question's status quo; the rest is split evenly
    over its other options. Pass only other episodes' questions (leave one episode out),
    so that a question's own answer never enters its forecast.
    """
    same = [(q, s) for q, s in others if q.read.kind == question.read.kind]
    if question.read.kind == "option":
        hits = sum(q.answer == _status_quo(q, s) for q, s in same)
        p_sq = (hits + 1) / (len(same) + 2)
        keys = answer_keys(question, scenario)
        sq = _status_quo(question, scenario)
        rest = (1.0 - p_sq) / max(len(keys) - 1, 1)
        return {o: p_sq if o == sq else rest for o in keys}
    yes = sum(q.answer is True for q, _ in same)
    return _binary((yes + 1) / (len(same) + 2))
