"""Stacked alternating offers with N parties: an offer is agreed only when all others accept."""

import numpy as np
import pytest
from _bargaining_helpers import inner_reservation, random_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks.bargaining import OutcomeSpace, Protocol, run_batch, run_session

NAMES = ["boulware", "linear", "conceder", "hardliner", "tft", "micro"]


def check_unanimity(n: int, seed: int, names: list[str]) -> bool:
    rng = np.random.default_rng(seed)
    u = random_linear(OutcomeSpace.from_sizes([4, 3, 3]), n, rng)
    d = inner_reservation(u, rng, 0.3)
    res = run_session(u, d, Protocol(rounds=20), names, rng=seed)
    if not res.agreed:
        return False
    assert np.all(np.asarray(res.utilities) >= d)  # every strategy here accepts above d only
    trace = res.trace
    last_offer = max(k for k, s in enumerate(trace) if s.action == "offer")
    accepts = trace[last_offer + 1 :]
    # the n - 1 turns after the agreed offer are accepts of it, by every other party in order
    assert [s.action for s in accepts] == ["accept"] * (n - 1)
    assert {s.party for s in accepts} | {trace[last_offer].party} == set(range(n))
    assert all(s.outcome == res.agreement for s in accepts)
    # and the batch engine agrees with the one-session run
    batch = run_batch(u, d, names, Protocol(rounds=20), rng=seed)
    assert int(batch.agreement[0]) == res.agreement
    return True


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 7), st.integers(0, 10**6), st.data())
def test_agreement_only_after_every_other_party_accepted(n: int, seed: int, data) -> None:
    check_unanimity(n, seed, data.draw(st.lists(st.sampled_from(NAMES), min_size=n, max_size=n)))


@pytest.mark.parametrize("n", [3, 5, 7, 12])
def test_conceders_agree_among_many_parties(n: int) -> None:
    assert check_unanimity(n, n, ["conceder"] * n)
