"""Mediated single-text protocol: unanimity, reproducibility, closed forms, a loop reference."""

import numpy as np
import pytest
from _bargaining_helpers import inner_reservation, random_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks._errors import BargainingError
from tradetalks.bargaining import OutcomeSpace, run_single_text

SPACE = OutcomeSpace.from_sizes([4, 3, 5, 2])


def problem(n_parties: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    u = random_linear(SPACE, n_parties, rng)
    return u, inner_reservation(u, rng, 0.5)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.integers(0, 10**6), st.floats(0, 0.3), st.booleans())
def test_unanimity_agreements_are_rational_and_hill_climbers_never_lose(
    n_parties: int, seed: int, temperature: float, with_space: bool
) -> None:
    u, d = problem(n_parties, seed)
    start = np.random.default_rng(seed).integers(0, u.shape[1], 50)
    space = SPACE if with_space else None
    res = run_single_text(u, d, 40, seed, n_sessions=50, space=space, start=start)
    np.testing.assert_array_equal(res.utilities, u[:, res.text].T)
    rational = np.all(u[:, res.text] >= d[:, None], axis=0)
    np.testing.assert_array_equal(res.agreed, rational)  # agreement iff every party accepts it
    np.testing.assert_array_equal(res.agreement, np.where(rational, res.text, -1))
    # hill climbers: every adopted move is one no party vetoed, so nobody ends worse off
    assert np.all(res.utilities >= u[:, start].T)
    hot = run_single_text(u, d, 40, seed, n_sessions=50, space=space, temperature=temperature)
    assert np.all(hot.agreed == np.all(u[:, hot.text] >= d[:, None], axis=0))


def test_reproducible_by_seed() -> None:
    u, d = problem(5, 1)
    a = run_single_text(u, d, 60, np.random.default_rng(42), n_sessions=200, space=SPACE)
    b = run_single_text(u, d, 60, 42, n_sessions=200, space=SPACE)
    c = run_single_text(u, d, 60, 43, n_sessions=200, space=SPACE)
    np.testing.assert_array_equal(a.text, b.text)
    np.testing.assert_array_equal(a.moves, b.moves)
    assert not np.array_equal(a.text, c.text)


@pytest.mark.parametrize("with_space", [True, False])
def test_identical_utilities_reach_the_joint_best(with_space: bool) -> None:
    # one linear-additive utility for all: single-issue hill climbing reaches its maximum
    # (the function is separable by issue); random proposals reach it w.p. 1 - (1-1/n)^R
    u1 = random_linear(SPACE, 1, np.random.default_rng(9))[0]
    u = np.vstack([u1] * 6)
    res = run_single_text(
        u, u.min(axis=1), 600, 3, n_sessions=100, space=SPACE if with_space else None
    )
    assert np.all(res.text == np.argmax(u1)) and res.agreed.all()


def test_two_parties_are_sensible() -> None:
    u, d = problem(2, 4)
    start = np.arange(u.shape[1])  # every outcome once
    res = run_single_text(u, d, 0, 0, n_sessions=start.size, start=start)
    np.testing.assert_array_equal(res.text, start)  # no round: the text stays
    np.testing.assert_array_equal(res.agreed, np.all(u >= d[:, None], axis=0))
    res = run_single_text(u, d, 400, 0, n_sessions=start.size, space=SPACE, start=start)
    # hill climbers: nobody ends below where it started
    both = np.all(res.utilities >= u[:, start].T, axis=1)
    assert both.all()
    # with two parties the stuck texts are pairwise-stable: no single-issue change both
    # weakly prefer with one strictly better (400 rounds try each of the 10 variants whp)
    vals = SPACE.decode(res.text)
    for s in range(0, start.size, 7):
        for k, radix in enumerate(SPACE.radices):
            for v in range(radix):
                alt = vals[s].copy()
                alt[k] = v
                a = int(SPACE.encode(alt))
                gain = u[:, a] - u[:, res.text[s]]
                assert not (np.all(gain >= 0) and np.any(gain > 0))


def reference(u: np.ndarray, d: np.ndarray, rounds: int, seed: int, n: int) -> np.ndarray:
    """Plain loop per session of the hill-climbing protocol with random-outcome proposals."""
    gen = np.random.default_rng(seed)
    text = gen.integers(0, u.shape[1], size=n).tolist()
    for _ in range(rounds):
        proposal = gen.integers(0, u.shape[1], size=n).tolist()
        for s in range(n):
            if all(u[i, proposal[s]] >= u[i, text[s]] for i in range(u.shape[0])):
                text[s] = proposal[s]
    return np.asarray(text)


@pytest.mark.parametrize("n_parties", [2, 3, 7])
def test_equals_a_plain_loop_reference(n_parties: int) -> None:
    u, d = problem(n_parties, 20 + n_parties)
    res = run_single_text(u, d, 30, 5, n_sessions=40)
    np.testing.assert_array_equal(res.text, reference(u, d, 30, 5, 40))


def test_a_batch_of_problems_equals_shared_utilities() -> None:
    u, d = problem(4, 6)
    shared = run_single_text(u, d, 50, 8, n_sessions=30, space=SPACE)
    stacked = run_single_text(np.stack([u] * 30), d, 50, 8, space=SPACE)
    np.testing.assert_array_equal(shared.text, stacked.text)
    np.testing.assert_array_equal(shared.agreed, stacked.agreed)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rounds": -1}, "rounds"),
        ({"start": 10_000}, "start"),
        ({"start": 1.5}, "start"),
        ({"temperature": -1.0}, "temperature"),
        ({"space": OutcomeSpace.from_sizes([2, 2])}, "space"),
        ({"n_sessions": 0}, "n_sessions"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], match: str) -> None:
    u, d = problem(3, 0)
    with pytest.raises(BargainingError, match=match):
        run_single_text(u, d, **kwargs)  # type: ignore[arg-type]
