"""The protocol engine: batch = single sessions, seeds, deadlines, discount, escalation."""

from dataclasses import dataclass

import numpy as np
import pytest
from _bargaining_helpers import inner_reservation, random_linear
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradetalks._errors import BargainingError
from tradetalks.bargaining import (
    WALK_AWAY,
    ACConst,
    ACNext,
    ACTime,
    BargainingProblem,
    Escalation,
    Hardliner,
    MiCRO,
    OutcomeSpace,
    Proposal,
    Protocol,
    Status,
    Strategy,
    all_of,
    analyse,
    any_of,
    pareto_frontier,
    parse_strategy,
    run_batch,
    run_session,
)

SPACE = OutcomeSpace.from_sizes([4, 5, 3])


@pytest.fixture(scope="module")
def sampled() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n = 12
    u = np.stack([random_linear(SPACE, 2, rng) for _ in range(n)])
    r = np.stack([inner_reservation(x, rng, 0.5) for x in u])
    deadlines = rng.integers(5, 40, size=n)
    return u, r, deadlines


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("boulware", "conceder"),
        ("linear", "tft"),
        ("nash", "conceder:e=2"),
        ("hardliner", "linear"),
        ("tft:delta=2", "nash"),
        ("equilibrium", "equilibrium"),
    ],
)
def test_batch_runs_the_same_policy_code_as_single_sessions(sampled, a: str, b: str) -> None:
    u, r, deadlines = sampled
    batch = run_batch(u, r, [a, b], deadlines=deadlines, space=SPACE)
    for s in range(u.shape[0]):
        problem = BargainingProblem(u[s], r[s], SPACE)
        single = run_session(problem, None, Protocol(rounds=int(deadlines[s])), (a, b))
        assert int(batch.status[s]) == single.status
        assert (batch.agreement[s] if batch.agreed[s] else None) == single.agreement
        assert batch.rounds[s] == single.rounds
        np.testing.assert_array_equal(batch.utilities[s], single.utilities)


def test_runs_are_reproducible_from_the_seed(sampled) -> None:
    u, r, deadlines = sampled
    one = run_batch(u, r, ["micro", "micro"], deadlines=deadlines, rng=3, record_offers=True)
    two = run_batch(
        u,
        r,
        ["micro", "micro"],
        deadlines=deadlines,
        rng=np.random.default_rng(3),
        record_offers=True,
    )
    assert one.offers is not None and two.offers is not None
    np.testing.assert_array_equal(one.offers, two.offers)
    np.testing.assert_array_equal(one.agreement, two.agreement)


def test_micro_agreements_are_rational_and_mostly_pareto_optimal(sampled) -> None:
    u, r, _ = sampled
    res = run_batch(u, r, ["micro", "micro"], protocol=Protocol(rounds=200), rng=1)
    assert res.agreed.all()  # 60 outcomes, 200 rounds: MiCRO always gets there
    assert np.all(res.utilities >= res.reservation - 1e-12)
    on_frontier = [
        int(res.agreement[s]) in set(pareto_frontier(u[s], r[s]).tolist()) for s in range(len(u))
    ]
    assert np.mean(on_frontier) >= 0.5


def test_hardliners_hit_the_deadline_with_reservation_values() -> None:
    u = random_linear(SPACE, 2, np.random.default_rng(1))
    res = run_session(u, [0.1, 0.2], Protocol(rounds=7, discount=0.9), ("hardliner", "hardliner"))
    assert res.status is Status.DEADLINE
    assert res.utilities == (0.1, 0.2)
    assert res.turns == 14 and res.rounds == 7
    assert res.discounted == pytest.approx((0.1 * 0.9**14, 0.2 * 0.9**14))
    assert len(res.trace) == 14 and all(s.action == "offer" for s in res.trace)


def test_time_limit_on_the_simulated_clock() -> None:
    u = random_linear(SPACE, 2, np.random.default_rng(1))
    res = run_session(
        u,
        [0.0, 0.0],
        Protocol(rounds=None, time_limit=10.0, round_duration=2.0),
        ("hardliner",) * 2,
    )
    assert res.rounds == 4  # t = (r + 1) * 2 / 10 < 1 for r = 0..3
    assert res.trace[-1].time == pytest.approx(0.8)


def test_discount_applies_per_offer_period() -> None:
    u = np.array([[1.0, 0.0], [0.0, 1.0]])
    # B accepts A's best offer at its first turn (AC_const 0): offered at turn 0, no discount
    b_accepts = Strategy(Hardliner(), ACConst(0.0))
    res = run_session(u, [0.0, 0.0], Protocol(rounds=5, discount=0.5), ("hardliner", b_accepts))
    assert res.agreement == 0 and res.discounted == (1.0, 0.0) and res.turns == 2
    # A accepts B's offer (made at turn 1) at turn 2: discounted by 0.5 once
    a_accepts = Strategy(Hardliner(), ACTime(0.3))
    res = run_session(u, [0.0, 0.0], Protocol(rounds=5, discount=0.5), (a_accepts, "hardliner"))
    assert res.agreement == 1 and res.discounted == (0.0, 0.5) and res.rounds == 2


def test_acceptance_combinations() -> None:
    u = np.array([[1.0, 0.6, 0.0], [0.0, 0.6, 1.0]])
    late = Strategy(Hardliner(), all_of(ACTime(0.5), ACConst(0.5)))
    res = run_session(
        u,
        [0.0, 0.0],
        Protocol(rounds=9),
        (late, Strategy(parse_strategy("linear").offering, ACNext())),
    )
    assert res.status is Status.AGREED
    either = any_of(ACConst(2.0), ACTime(1.0))  # never true before the deadline
    res = run_session(u, [0.0, 0.0], Protocol(rounds=9), (Strategy(Hardliner(), either),) * 2)
    assert res.status is Status.DEADLINE


def test_escalation_changes_reservation_and_talks_go_on() -> None:
    u = np.vstack([np.linspace(0, 1, 101), np.linspace(1, 0, 101)])
    threat = Escalation(round=3, party=0, reservation=(0.1, 0.45))
    res = run_session(
        u, [0.0, 0.0], Protocol(rounds=30, escalations=(threat,)), ("boulware", "boulware")
    )
    assert [s.action for s in res.trace].count("escalation") == 1
    assert res.status is Status.AGREED
    assert res.reservation == (0.1, 0.45)
    assert res.utilities[1] >= 0.45 - 1e-12  # the time-based floor moved up with the threat
    calm = run_session(u, [0.0, 0.0], Protocol(rounds=30), ("boulware", "boulware"))
    assert calm.utilities[1] < res.utilities[1]


def test_escalation_can_end_the_talks() -> None:
    u = np.vstack([np.linspace(0, 1, 11), np.linspace(1, 0, 11)])
    threat = Escalation(round=2, party=1, reservation=(-0.5, 0.1), end=True)
    res = run_session(u, [0.0, 0.0], Protocol(rounds=30, escalations=(threat,)), ("hardliner",) * 2)
    assert res.status is Status.ESCALATED
    assert res.utilities == (-0.5, 0.1) and res.rounds == 2
    # in a batch, per-session escalation rounds (-1: never)
    batch = run_batch(
        u,
        [0.0, 0.0],
        ["hardliner"] * 2,
        Protocol(
            rounds=30,
            escalations=(
                Escalation(round=np.array([2, -1]), party=1, reservation=(-0.5, 0.1), end=True),
            ),
        ),
        n_sessions=2,
    )
    assert batch.status.tolist() == [Status.ESCALATED, Status.DEADLINE]


def test_three_parties_need_every_other_party_to_accept() -> None:
    rng = np.random.default_rng(11)
    u = random_linear(SPACE, 3, rng)
    res = run_session(u, inner_reservation(u, rng, 0.3), Protocol(rounds=40), ("conceder",) * 3)
    assert res.status is Status.AGREED
    actions = [s.action for s in res.trace]
    assert actions[-2:] == ["accept", "accept"]
    assert res.trace[-3].action == "offer" and res.trace[-3].outcome == res.agreement


def test_strategies_against_each_other_end_rationally() -> None:
    rng = np.random.default_rng(2)
    u = random_linear(SPACE, 2, rng)
    r = inner_reservation(u, rng, 0.4)
    a = analyse(u, r)
    for pair in [
        ("tft", "conceder"),
        ("nash", "nash"),
        ("micro", "boulware"),
        ("equilibrium", "equilibrium"),
    ]:
        res = run_session(u, r, Protocol(rounds=60), pair, rng=0)
        assert res.status is Status.AGREED, pair
        assert all(x >= y - 1e-12 for x, y in zip(res.utilities, r, strict=True)), pair
    spe = run_session(u, r, Protocol(rounds=60), ("equilibrium", "equilibrium"))
    assert spe.agreement in set(a.frontier.tolist())  # no delay and no waste in equilibrium
    assert spe.turns == 2


def test_tit_for_tat_does_not_concede_to_a_hardliner() -> None:
    u = np.vstack([np.linspace(0, 1, 21), np.linspace(1, 0, 21)])
    res = run_session(u, [0.0, 0.0], Protocol(rounds=30), ("tft", "hardliner"))
    assert res.status is Status.DEADLINE
    assert {s.outcome for s in res.trace if s.party == 0} == {20}


def test_micro_concedes_one_step_per_new_opponent_offer() -> None:
    u = np.vstack([np.linspace(0, 1, 21), np.linspace(1, 0, 21)])
    res = run_session(
        u, [0.0, 0.0], Protocol(rounds=30), (Strategy(MiCRO(), ACNext()), "hardliner"), rng=0
    )
    offers_a = [s.outcome for s in res.trace if s.party == 0]
    assert (
        len(set(offers_a)) == 2
    )  # best, then one concession after the one distinct offer received


PRESETS = ["boulware", "linear", "conceder:e=2", "hardliner", "tft", "nash", "micro", "equilibrium"]


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.just(2), st.integers(2, 30)), elements=st.floats(0, 1, width=16)
    ),
    st.floats(0, 0.9),
    st.sampled_from(PRESETS),
    st.sampled_from(PRESETS),
    st.integers(1, 25),
)
def test_agreements_are_rational_and_sessions_end_by_the_deadline(
    u: np.ndarray, depth: float, a: str, b: str, rounds: int
) -> None:
    d = u.min(axis=1) + depth * (u.max(axis=1) - u.min(axis=1))
    res = run_session(u, d, Protocol(rounds=rounds), (a, b), rng=0)
    assert res.rounds <= rounds and res.turns <= 2 * rounds
    if res.status is Status.AGREED:
        assert res.agreement is not None
        assert np.all(u[:, res.agreement] >= d - 1e-9)
        assert res.utilities == tuple(u[:, res.agreement])
    else:
        assert res.utilities == tuple(d)


@dataclass(frozen=True)
class _WalkOutAt:
    """A user-written policy: offer the best outcome, walk away at a set round."""

    round: int

    def start(self, setup, party, rng):
        return None

    def observe(self, setup, party, state, offers, proposer) -> None:
        return None

    def propose(self, view, state) -> Proposal:
        best = view.table.best
        offer = best if view.round < self.round else np.full_like(best, WALK_AWAY)
        return Proposal(offer, view.table.u_max.copy())


def test_a_custom_policy_can_walk_away() -> None:
    u = np.vstack([np.linspace(0, 1, 11), np.linspace(1, 0, 11)])
    walker = Strategy(_WalkOutAt(3), ACNext())
    res = run_session(u, [0.2, 0.1], Protocol(rounds=10, discount=0.5), ("hardliner", walker))
    assert res.status is Status.WALKED_AWAY
    assert res.utilities == (0.2, 0.1) and res.turns == 8
    assert res.discounted == pytest.approx((0.2 * 0.5**7, 0.1 * 0.5**7))
    assert res.trace[-1].action == "walk_away"


def test_an_escalation_can_switch_the_utility_table() -> None:
    # Party 0 insists on outcome 2. Party 1 gets 0.2 from it and has a reservation of 0.3,
    # so it refuses; at round 4 a measure is carried out under which outcome 2 is worth
    # 0.6 to party 1 and its no-deal value falls to 0.1: it accepts at its next turn, and
    # the deal is worth what the new table says.
    u = np.array([[0.0, 0.5, 1.0], [1.0, 0.5, 0.2]])
    after = np.array([[0.0, 0.4, 0.9], [0.7, 0.65, 0.6]])
    threat = Escalation(round=4, party=0, reservation=(0.0, 0.1), utilities=after)
    accept_above = Strategy(Hardliner(), ACConst(0.55))
    protocol = Protocol(rounds=10, escalations=(threat,))
    res = run_session(u, [0.0, 0.3], protocol, ("hardliner", accept_above))
    assert res.status is Status.AGREED and res.agreement == 2 and res.rounds == 5
    assert res.utilities == (0.9, 0.6)
    assert [s.utilities for s in res.trace if s.action == "accept"] == [(0.9, 0.6)]
    assert [s.utilities for s in res.trace if s.action == "offer"][-1] == (0.9, 0.6)
    # Without the new table the same threat leaves outcome 2 worth 0.2: no deal.
    plain = Escalation(round=4, party=0, reservation=(0.0, 0.1))
    res = run_session(u, [0.0, 0.3], Protocol(rounds=10, escalations=(plain,)),
                      ("hardliner", accept_above))  # fmt: skip
    assert res.status is Status.DEADLINE
    # A batch with a per-session round (-1: never) switches only where it is carried out.
    tables = np.stack([after, after])
    batch = run_batch(u, [0.0, 0.3], ("hardliner", accept_above),
                      Protocol(rounds=10, escalations=(Escalation(
                          round=np.array([4, -1]), party=0, reservation=(0.0, 0.1),
                          utilities=tables),)), n_sessions=2)  # fmt: skip
    assert batch.status.tolist() == [Status.AGREED, Status.DEADLINE]
    assert batch.utilities[0].tolist() == [0.9, 0.6]
    with pytest.raises(BargainingError, match=r"escalations\[0\].utilities"):
        run_session(
            u,
            [0.0, 0.3],
            Protocol(
                rounds=10,
                escalations=(
                    Escalation(round=4, party=0, reservation=(0.0, 0.1), utilities=after[:, :2]),
                ),
            ),
        )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    a=st.sampled_from(PRESETS),
    b=st.sampled_from(PRESETS),
    at=st.integers(0, 12),
)
def test_an_escalation_with_the_same_table_changes_nothing(
    seed: int, a: str, b: str, at: int
) -> None:
    rng = np.random.default_rng(seed)
    n = 6
    u = np.stack([random_linear(SPACE, 2, rng) for _ in range(n)])
    r = np.stack([inner_reservation(x, rng, 0.5) for x in u])
    later = np.stack([inner_reservation(x, rng, 0.7) for x in u])
    rounds = rng.integers(at - 1, 15, size=n)  # some sessions never escalate (-1)
    plain = Escalation(round=rounds, party=0, reservation=later)
    same = Escalation(round=rounds, party=0, reservation=later, utilities=u)
    one = run_batch(u, r, (a, b), Protocol(rounds=15, escalations=(plain,)), rng=seed,
                    space=SPACE, record_offers=True)  # fmt: skip
    two = run_batch(u, r, (a, b), Protocol(rounds=15, escalations=(same,)), rng=seed,
                    space=SPACE, record_offers=True)  # fmt: skip
    for field in ("status", "agreement", "utilities", "discounted", "rounds", "offers"):
        np.testing.assert_array_equal(getattr(one, field), getattr(two, field))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 40),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_row_searchsorted_matches_numpy_on_each_row(
    n_rows: int, n_cols: int, seed: int, large: bool
) -> None:
    """Both the counting and the binary-search path give numpy's left insertion point per row."""
    from tradetalks.bargaining import _policy

    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice([0.0, 0.25, 0.5, 1.0, *rng.random(3)], (n_rows, n_cols)), axis=1)
    values = rng.choice([*rows.ravel(), -1.0, 2.0, *rng.random(3)], n_rows)
    expected = [np.searchsorted(rows[i], values[i], side="left") for i in range(n_rows)]
    threshold = 0 if large else _policy._COUNT_CELLS  # 0 forces the binary search
    original = _policy._COUNT_CELLS
    try:
        _policy._COUNT_CELLS = threshold
        got = _policy.row_searchsorted(rows, values)
    finally:
        _policy._COUNT_CELLS = original
    assert got.tolist() == expected


def test_sorted_views_remembered_for_one_row_are_the_sort_of_that_row() -> None:
    """A remembered sort is returned only for the same bytes, read-only, equal to a fresh sort."""
    from tradetalks.bargaining._policy import sorted_views

    rng = np.random.default_rng(7)
    row = rng.integers(0, 5, (1, 50)).astype(float) / 4  # ties, as on coarse issue grids
    first = sorted_views(row)
    again = sorted_views(row.copy())
    assert again[0] is first[0] and not again[0].flags.writeable
    fresh = np.argsort(row, axis=1)
    assert np.array_equal(first[0], fresh)
    assert np.array_equal(first[1], np.take_along_axis(row, fresh, axis=1))
    other = row.copy()
    other[0, 3] += 0.01
    assert sorted_views(other)[0] is not first[0]
    assert np.array_equal(sorted_views(other)[0], np.argsort(other, axis=1))
