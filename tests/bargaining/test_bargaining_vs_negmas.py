"""Side by side with NegMAS 0.16: frontier, Nash, Kalai–Smorodinsky, time-based sessions.

Mapping (documented in the README section of the bargaining layer):

- NegMAS ``pareto_frontier`` keeps outcomes with ``u >= reserved_value`` for every ufun and
  returns one point per distinct utility vector; we return every outcome code, so we compare
  the sets of utility vectors.
- NegMAS ``nash_points`` / ``ks_points`` take the disagreement point as ``max(reserved value,
  minimum utility)`` and the ideal point as the maximum over *all* outcomes; we use the
  reservation value and the maximum over the zone of agreement (Kalai and Smorodinsky 1975).
  Passing ``ranges=[(min or r, ideal)]`` makes NegMAS compute the same concept.
- ``BoulwareTBNegotiator`` / ``LinearTBNegotiator`` / ``ConcederTBNegotiator`` (PolyAspiration
  exponents 4, 1, 0.25; tolerance eps=1e-4) = ``Strategy(TimeBased(e=1/exponent, tol=1e-4),
  ACAspiration())``, i.e. ``boulware:tol=0.0001`` etc.; NegMAS step s = our round s + 1 - 1.
"""

from pathlib import Path

import numpy as np
import pytest
from _bargaining_helpers import inner_reservation

from tradetalks.bargaining import (
    ACAspiration,
    OutcomeSpace,
    Protocol,
    Strategy,
    TimeBased,
    ideal_point,
    kalai_smorodinsky_point,
    nash_point,
    pareto_frontier,
    run_session,
)
from tradetalks.bargaining._genius import read_genius_domain

negmas = pytest.importorskip("negmas")
from negmas.inout import Scenario  # noqa: E402
from negmas.outcomes import make_issue, make_os  # noqa: E402
from negmas.preferences import LinearAdditiveUtilityFunction, TableFun  # noqa: E402
from negmas.preferences.ops import ks_points, nash_points  # noqa: E402
from negmas.preferences.ops import pareto_frontier as nm_pareto_frontier  # noqa: E402

pytestmark = pytest.mark.peer


def _negmas_scenario(sizes, n_parties, seed):
    rng = np.random.default_rng(seed)
    space = OutcomeSpace.from_sizes(sizes)
    issues = [make_issue(n, f"issue{k}") for k, n in enumerate(sizes)]
    os_ = make_os(issues)
    ufuns, rows = [], []
    for _ in range(n_parties):
        w = rng.random(len(sizes))
        w /= w.sum()
        values = [rng.random(n) for n in sizes]
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=[TableFun(dict(enumerate(v))) for v in values],
                weights=list(w),
                outcome_space=os_,
            )
        )
        from tradetalks.bargaining import linear_additive_utilities

        rows.append(linear_additive_utilities(space, w, values))
    u = np.vstack(rows)
    d = inner_reservation(u, rng, 0.5)
    for uf, r in zip(ufuns, d, strict=True):
        uf.reserved_value = float(r)
    return os_, ufuns, u, d


def _rows(points) -> np.ndarray:
    arr = np.asarray(points, dtype=float)
    return arr[np.lexsort(arr.T[::-1])]


def _assert_same_points(ours: np.ndarray, theirs) -> None:
    mine = _rows(np.unique(ours.T, axis=0))
    np.testing.assert_allclose(mine, _rows(theirs), rtol=0, atol=1e-12)


def _check_against_negmas(os_, ufuns, u, d) -> None:
    front = pareto_frontier(u, d)
    nm_utils, _ = nm_pareto_frontier(ufuns, issues=os_.issues)
    _assert_same_points(u[:, front], nm_utils)

    frontier_pts = [tuple(p) for p in nm_utils]
    mins = u.min(axis=1)
    ideal = ideal_point(u, d)
    nm_nash = nash_points(
        ufuns, frontier_pts, ranges=[(lo, hi) for lo, hi in zip(mins, u.max(axis=1), strict=True)]
    )
    ours = nash_point(u, d, front)
    assert ours is not None
    assert any(np.allclose(ours.utilities, p, atol=1e-12) for p, _ in nm_nash)

    nm_ks = ks_points(
        ufuns, frontier_pts, ranges=[(lo, hi) for lo, hi in zip(mins, ideal, strict=True)]
    )
    ks = kalai_smorodinsky_point(u, d, front)
    assert ks is not None
    assert any(np.allclose(ks.utilities, p, atol=1e-12) for p, _ in nm_ks)


@pytest.mark.parametrize(
    ("sizes", "n_parties", "seed"),
    [
        ((5, 5, 4), 2, 1),
        ((6, 6, 6, 5), 2, 2),
        ((4, 5, 6), 3, 3),
        ((8, 8, 8), 3, 4),
        ((10, 10, 10, 10, 10), 2, 5),  # 10^5 outcomes
    ],
)
def test_frontier_nash_ks_equal_negmas_on_random_scenarios(sizes, n_parties, seed) -> None:
    _check_against_negmas(*_negmas_scenario(sizes, n_parties, seed))


GENIUS = read_genius_domain("ItexvsCypress")


def test_frontier_nash_ks_equal_negmas_on_the_genius_domain() -> None:
    from importlib.resources import as_file, files

    with as_file(files("tradetalks.data").joinpath("genius", "ItexvsCypress")) as folder:
        scenario = Scenario.from_genius_folder(folder)
    problem = GENIUS.problem(normalize=False)  # NegMAS keeps the raw scores
    assert [u.reserved_value for u in scenario.ufuns] == list(problem.reservation)
    outcomes = list(scenario.outcome_space.enumerate_or_sample())
    codes = [
        problem.space.code_of(dict(zip(problem.space.issue_names, o, strict=True)))
        for o in outcomes
    ]
    for uf, row in zip(scenario.ufuns, problem.utilities, strict=True):
        np.testing.assert_allclose([uf(o) for o in outcomes], row[codes], rtol=1e-12)
    _check_against_negmas(
        scenario.outcome_space, scenario.ufuns, problem.utilities, problem.reservation
    )


NEGMAS_TB = {
    "boulware": ("BoulwareTBNegotiator", 0.25),
    "linear": ("LinearTBNegotiator", 1.0),
    "conceder": ("ConcederTBNegotiator", 4.0),
}


def _negmas_session(os_, ufuns, a: str, b: str, n_steps: int):
    from negmas import sao

    m = sao.SAOMechanism(outcome_space=os_, n_steps=n_steps, time_limit=None)
    m.add(getattr(sao, NEGMAS_TB[a][0])(name="a"), ufun=ufuns[0])
    m.add(getattr(sao, NEGMAS_TB[b][0])(name="b"), ufun=ufuns[1])
    m.run()
    return m.state.agreement, m.state.step


def _ours(a: str) -> Strategy:
    return Strategy(TimeBased(e=NEGMAS_TB[a][1], tol=1e-4), ACAspiration())


PAIRS = [
    ("boulware", "boulware"),
    ("linear", "conceder"),
    ("conceder", "boulware"),
    ("linear", "linear"),
]


@pytest.mark.parametrize("seed", range(8))
def test_time_based_sessions_reach_negmas_agreements_in_the_same_rounds(seed: int) -> None:
    os_, ufuns, u, d = _negmas_scenario((5, 5, 5), 2, 100 + seed)
    agreed = 0
    for a, b in PAIRS:
        n_steps = 20 + 10 * seed
        nm_agreement, nm_step = _negmas_session(os_, ufuns, a, b, n_steps)
        ours = run_session(u, d, Protocol(rounds=n_steps), (_ours(a), _ours(b)))
        if nm_agreement is None:
            assert ours.agreement is None
            continue
        agreed += 1
        assert ours.agreement == int(np.ravel_multi_index(nm_agreement, (5, 5, 5)))
        assert ours.rounds == nm_step
    assert agreed >= 2


def test_time_based_sessions_match_negmas_on_the_genius_domain() -> None:
    from importlib.resources import as_file, files

    with as_file(files("tradetalks.data").joinpath("genius", "ItexvsCypress")) as folder:
        scenario = Scenario.from_genius_folder(folder)
    problem = GENIUS.problem(normalize=False)
    for a, b in PAIRS:
        nm_agreement, nm_step = _negmas_session(scenario.outcome_space, scenario.ufuns, a, b, 50)
        ours = run_session(problem, None, Protocol(rounds=50), (_ours(a), _ours(b)))
        assert nm_agreement is not None
        assert ours.agreement == problem.space.code_of(
            dict(zip(problem.space.issue_names, nm_agreement, strict=True))
        )
        assert ours.rounds == nm_step


SHOP = Path(__file__).parent / "data" / "shop"


def test_integer_issues_with_linear_evaluators_equal_negmas() -> None:
    domain = read_genius_domain(SHOP)
    problem = domain.problem(normalize=False)
    scenario = Scenario.from_genius_folder(SHOP)
    outcomes = list(scenario.outcome_space.enumerate_or_sample())
    names = problem.space.issue_names
    codes = [problem.space.code_of(dict(zip(names, map(str, o), strict=True))) for o in outcomes]
    for uf, row in zip(scenario.ufuns, problem.utilities, strict=True):
        np.testing.assert_allclose([uf(o) for o in outcomes], row[codes], rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_micro_self_play_matches_negmas(seed: int) -> None:
    # MiCRO against itself concedes in lockstep and never repeats an offer at random, so the
    # run is deterministic and must equal NegMAS's MiCRONegotiator pair.
    from negmas import sao

    os_, ufuns, u, d = _negmas_scenario((4, 4, 3), 2, 300 + seed)
    for n_steps in (15, 60):
        m = sao.SAOMechanism(outcome_space=os_, n_steps=n_steps, time_limit=None)
        m.add(sao.MiCRONegotiator(name="a"), ufun=ufuns[0])
        m.add(sao.MiCRONegotiator(name="b"), ufun=ufuns[1])
        m.run()
        ours = run_session(u, d, Protocol(rounds=n_steps), ("micro", "micro"), rng=0)
        if m.state.agreement is None:
            assert ours.agreement is None
        else:
            assert ours.agreement == int(np.ravel_multi_index(m.state.agreement, (4, 4, 3)))
            assert ours.rounds == m.state.step
