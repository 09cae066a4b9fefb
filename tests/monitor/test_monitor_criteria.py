"""Every criterion on synthetic series with known answers, as tables of cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from monitor_synthetic import annual, goal
from scipy import stats

from tradetalks.monitor import Verdict, assess_goal, combine_verdicts

MET, PARTLY, NOT, NED = (
    Verdict.MET,
    Verdict.PARTLY_MET,
    Verdict.NOT_MET,
    Verdict.NOT_ENOUGH_DATA,
)
BASE = [100.0, 101.0, 99.0, 100.0, 100.0]  # 1990-1994, mean 100, sd ~0.71
NOISY = [80.0, 120.0, 80.0, 120.0, 100.0]  # mean 100, sd 20


def judge(values: list[float], criterion: dict[str, Any], **extra: Any) -> Any:
    result = assess_goal(goal(criterion, **extra), annual(values))
    assert len(result.criteria) == 1
    return result.criteria[0]


PROMPT = {"kind": "prompt", "within_periods": 2, "min_change": 0.10}


@pytest.mark.parametrize(
    ("case", "values", "criterion", "extra", "expected"),
    [
        ("jump right after", [*BASE, 130, 135], PROMPT, {}, MET),
        ("jump in second period", [*BASE, 101, 130], PROMPT, {}, MET),
        ("jump too late", [*BASE, 101, 102, 130], PROMPT, {}, PARTLY),
        ("small rise only", [*BASE, 105, 104, 103], PROMPT, {}, PARTLY),
        ("fall", [*BASE, 90, 85, 80], PROMPT, {}, NOT),
        ("already reached, window incomplete", [*BASE, 130], PROMPT, {}, MET),
        ("not reached, window incomplete", [*BASE, 101], PROMPT, {}, NED),
        ("big but not significant", [*NOISY, 125, 125], PROMPT, {}, PARTLY),
        ("decrease goal", [*BASE, 70, 60], PROMPT, {"direction": "decrease"}, MET),
        ("decrease goal, rise", [*BASE, 130, 140], PROMPT, {"direction": "decrease"}, NOT),
        (
            "absolute bar",
            [*BASE, 104, 104],
            {**PROMPT, "min_change": None, "min_change_abs": 3},
            {},
            MET,
        ),
        ("no post period", BASE, PROMPT, {}, NED),
        ("no bar, no change", [5.0] * 8, {"kind": "prompt"}, {}, NOT),
        ("no bar, any significant rise", [*BASE, 103, 100], {"kind": "prompt"}, {}, MET),
        ("gap in window", [*BASE, float("nan"), 101], PROMPT, {}, NED),
        ("baseline one point", [100, 130], PROMPT, {"agreement": 1990}, MET),
    ],
)
def test_prompt(
    case: str,
    values: list[float],
    criterion: dict[str, Any],
    extra: dict[str, Any],
    expected: Verdict,
) -> None:
    assert judge(values, criterion, **extra).verdict is expected, case


SUB = {"kind": "substantial", "min_change": 0.20}


@pytest.mark.parametrize(
    ("case", "values", "criterion", "expected"),
    [
        ("well above", [*BASE, 120, 140, 150], SUB, MET),
        ("above but small", [*BASE, 105, 108, 110], SUB, PARTLY),
        ("below baseline", [*BASE, 98, 96, 95], SUB, NOT),
        ("exactly the bar", [*BASE, 110, 120], SUB, MET),
        ("judged by a date", [*BASE, 130, 90], {**SUB, "by": 1995}, MET),
        ("date after the data", [*BASE, 130], {**SUB, "by": 2000}, NED),
        ("average of last 3", [*BASE, 150, 100, 110], {**SUB, "average_periods": 3}, MET),
        ("vs counterfactual factor", [*BASE, 150], {**SUB, "counterfactual_factor": 1.3}, PARTLY),
        ("beats counterfactual factor", [*BASE, 160], {**SUB, "counterfactual_factor": 1.3}, MET),
        (
            "vs counterfactual path",
            [*BASE, 120, 130],
            {
                **SUB,
                "counterfactual": [{"period": 1995, "value": 100}, {"period": 1996, "value": 140}],
            },
            NOT,
        ),
        (
            "counterfactual misses the period",
            [*BASE, 120, 130],
            {**SUB, "counterfactual": [{"period": 1995, "value": 100}]},
            NED,
        ),
        ("absolute bar", [*BASE, 104], {"kind": "substantial", "min_change_abs": 5}, PARTLY),
        ("no baseline", [*BASE, 120], SUB | {}, NED),
    ],
)
def test_substantial(
    case: str, values: list[float], criterion: dict[str, Any], expected: Verdict
) -> None:
    extra = {"baseline": [1980, 1985]} if case == "no baseline" else {}
    assert judge(values, criterion, **extra).verdict is expected, case


CONT = {"kind": "continuous", "tolerance": 0.10}


@pytest.mark.parametrize(
    ("case", "post", "criterion", "expected"),
    [
        ("steady rise", [110, 120, 130, 140, 150], CONT, MET),
        ("rise with a 15% dip", [110, 120, 130, 110, 150, 160, 170, 180], CONT, PARTLY),
        ("flat within tolerance", [100, 102, 99, 101, 100, 102], CONT, PARTLY),
        ("collapse", [150, 140, 120, 100, 90], CONT, NOT),
        (
            "dip within a wide tolerance",
            [110, 120, 130, 110, 150, 160, 170, 180],
            {**CONT, "tolerance": 0.2},
            MET,
        ),
        ("too few periods", [110, 120, 130, 140], CONT, NED),
        ("gap after the agreement", [110, float("nan"), 130, 140, 150], CONT, NED),
        ("judged up to a date", [110, 120, 130, 140, 150, 50], {**CONT, "by": 1999}, MET),
        # Mann–Kendall cannot reject at 5% (two-sided) with 4 points: p >= 0.089
        ("4 points never significant", [110, 120, 130, 140], {**CONT, "min_periods": 4}, PARTLY),
    ],
)
def test_continuous(
    case: str, post: list[float], criterion: dict[str, Any], expected: Verdict
) -> None:
    assert judge([*BASE, *post], criterion).verdict is expected, case


TARGET = {"kind": "target", "level": 130, "by": 1997}


@pytest.mark.parametrize(
    ("case", "post", "criterion", "extra", "expected"),
    [
        ("met on time", [110, 125, 131], TARGET, {}, MET),
        ("met early then lost", [135, 110, 110, 110], TARGET, {}, MET),
        ("met late", [110, 120, 125, 135], TARGET, {}, PARTLY),
        ("never met", [110, 120, 125, 128, 129], TARGET, {}, NOT),
        ("data end before the date", [110, 120], TARGET, {}, NED),
        ("gap before the date", [110, float("nan"), 120, 125], TARGET, {}, NED),
        ("decrease goal", [90, 80, 70], {**TARGET, "level": 75}, {"direction": "decrease"}, MET),
    ],
)
def test_target(
    case: str,
    post: list[float],
    criterion: dict[str, Any],
    extra: dict[str, Any],
    expected: Verdict,
) -> None:
    assert judge([*BASE, *post], criterion, **extra).verdict is expected, case


ITEMS = [{"id": "a"}, {"id": "b"}, {"id": "c", "weight": 2}]


@pytest.mark.parametrize(
    ("case", "scores", "rule", "expected", "score"),
    [
        (
            "all high",
            {"x": {"a": 4, "b": 4, "c": 3}, "y": {"a": 3, "b": 4, "c": 4}},
            "mean",
            MET,
            None,
        ),
        # (mean per item: a=3.5 b=4 c=3.5) -> weighted (3.5+4+7)/4/4 = 0.90625
        (
            "mean",
            {"x": {"a": 4, "b": 4, "c": 3}, "y": {"a": 3, "b": 4, "c": 4}},
            "mean",
            MET,
            0.90625,
        ),
        # min per item: a=3 b=4 c=3 -> (3+4+6)/4/4 = 0.8125
        ("min", {"x": {"a": 4, "b": 4, "c": 3}, "y": {"a": 3, "b": 4, "c": 4}}, "min", MET, 0.8125),
        # c=2 only -> (2*2)/2/4 for c alone... a,b unscored: 2/4 = 0.5 -> partly
        ("only one item scored", {"x": {"c": 2}}, "mean", PARTLY, 0.5),
        ("low", {"x": {"a": 1, "b": 0, "c": 1}}, "max", NOT, 0.1875),
        (
            "majority met",
            {
                "x": {"a": 4, "b": 4, "c": 4},
                "y": {"a": 4, "b": 3, "c": 4},
                "z": {"a": 0, "b": 0, "c": 0},
            },
            "majority",
            MET,
            None,
        ),
        (
            "majority split",
            {"x": {"a": 4, "b": 4, "c": 4}, "y": {"a": 0, "b": 0, "c": 0}},
            "majority",
            PARTLY,
            None,
        ),
        ("nobody scored", {}, "mean", NED, None),
    ],
)
def test_qualitative(
    case: str,
    scores: dict[str, dict[str, float]],
    rule: str,
    expected: Verdict,
    score: float | None,
) -> None:
    crit = {"kind": "qualitative", "items": ITEMS, "scores": scores, "rule": rule}
    result = assess_goal(goal(crit, indicator=None), None).criteria[0]
    assert result.verdict is expected, case
    if score is not None:
        assert result.statistics["score"] == pytest.approx(score)


@pytest.mark.parametrize(
    ("case", "values", "expected"),
    [
        ("prompt but not continuous", [*BASE, 140, 150, 100, 80, 70, 60], [MET, NOT, NOT]),
        (
            "continuous but not substantial",
            [*BASE, 101, 102, 103, 104, 105, 106],
            [PARTLY, PARTLY, MET],
        ),
        ("all three", [*BASE, 120, 130, 140, 150, 160, 170], [MET, MET, MET]),
    ],
)
def test_goal_of_three_criteria(case: str, values: list[float], expected: list[Verdict]) -> None:
    g = goal(PROMPT, SUB, CONT)
    result = assess_goal(g, annual(values))
    assert [c.verdict for c in result.criteria] == expected, case
    assert result.verdict is combine_verdicts(expected, "all")


@pytest.mark.parametrize(
    ("verdicts", "rule", "expected"),
    [
        ([MET, MET], "all", MET),
        ([MET, PARTLY], "all", PARTLY),
        ([MET, NOT], "all", PARTLY),
        ([NOT, NOT, NED], "all", NOT),
        ([MET, NED], "all", NED),
        ([NED, NED], "all", NED),
        ([MET, MET, NOT], "majority", MET),
        ([MET, NOT], "majority", PARTLY),
        ([NOT, NOT, MET, NED], "majority", NOT),
        ([NOT, PARTLY], "any", PARTLY),
        ([NOT, MET], "any", MET),
        ([NED], "any", NED),
    ],
)
def test_combination_rules(verdicts: list[Verdict], rule: Any, expected: Verdict) -> None:
    assert combine_verdicts(verdicts, rule) is expected


def test_prompt_statistic_is_the_prediction_t_test() -> None:
    result = judge([*NOISY, 160, 100], PROMPT)
    base = np.array(NOISY)
    t = (160 - base.mean()) / (base.std(ddof=1) * np.sqrt(1 + 1 / base.size))
    assert result.statistics["t"] == pytest.approx(t)
    assert result.statistics["p"] == pytest.approx(stats.t.sf(t, base.size - 1))
    assert result.verdict is MET  # t = 2.74 on 4 df: p = 0.026 < 0.05


def test_mann_kendall_matches_kendall_tau() -> None:
    post = [110.0, 125.0, 118.0, 140.0, 133.0, 150.0, 149.0]
    result = judge([*BASE, *post], CONT)
    tau = stats.kendalltau(np.arange(len(post)), post).statistic  # no ties: tau-a = tau-b
    assert result.statistics["mann_kendall_tau"] == pytest.approx(tau)
    # Mann (1945): S = sum of sign(y_j - y_i), Var S = n(n-1)(2n+5)/18 with no ties,
    # z = (S - 1)/sqrt(Var S) for S > 0, two-sided normal p-value
    n = len(post)
    S = sum(np.sign(post[j] - post[i]) for i in range(n) for j in range(i + 1, n))
    z = (S - 1) / np.sqrt(n * (n - 1) * (2 * n + 5) / 18)
    assert result.statistics["mann_kendall_z"] == pytest.approx(z)
    assert result.statistics["mann_kendall_p"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    # the largest fall from the running peak, by brute force over pairs
    brute = max(
        (post[i] - post[j]) / post[i] for i in range(len(post)) for j in range(i, len(post))
    )
    assert result.statistics["largest_reversal"] == pytest.approx(brute)
