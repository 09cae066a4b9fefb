"""Bad input gives one clear BargainingError; outcome spaces, GENIUS XML import and export."""

from pathlib import Path

import numpy as np
import pytest

from tradetalks import BargainingError, InputError
from tradetalks.bargaining import (
    BargainingProblem,
    Escalation,
    Issue,
    OutcomeSpace,
    Protocol,
    analyse,
    linear_additive_utilities,
    parse_strategy,
    run_batch,
    run_session,
)
from tradetalks.bargaining._genius import bundled_domains, read_genius_domain, write_genius_domain

U = np.array([[1.0, 0.5, 0.0], [0.0, 0.5, 1.0]])


@pytest.mark.parametrize(
    ("utilities", "reservation", "message"),
    [
        (np.ones(3), [0, 0], "expected shape (parties, outcomes)"),
        (np.ones((1, 3)), [0], "need at least 2 parties"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), [0, 0], "NaN or infinite value at index (0, 1)"),
        (U, [0.0, 1.5], "outside the utility range"),
        (U, [0.0, np.nan], "reservation: NaN"),
        (U, [0.0, 0.1, 0.2], "expected shape (2,)"),
        ([["a", "b"], ["c", "d"]], [0, 0], "not a numeric array"),
    ],
)
def test_bad_utilities_and_reservations(utilities, reservation, message: str) -> None:
    with pytest.raises(BargainingError) as info:
        BargainingProblem(utilities, reservation)
    assert message in str(info.value)
    assert isinstance(info.value, InputError) and info.value.exit_code == 2
    with pytest.raises(BargainingError):
        analyse(utilities, reservation)


def test_bad_batch_inputs_name_the_session() -> None:
    r = np.array([[0.0, 0.0], [0.0, 2.0]])
    with pytest.raises(BargainingError, match="party 1 in session 1 is outside the utility range"):
        run_batch(U, r, ["linear", "linear"])
    with pytest.raises(BargainingError, match="inconsistent numbers of sessions"):
        run_batch(np.stack([U, U, U]), r, ["linear", "linear"])
    with pytest.raises(BargainingError, match="deadlines: every session needs at least 1 round"):
        run_batch(U, [0, 0], ["linear", "linear"], deadlines=[3, 0])
    with pytest.raises(BargainingError, match="one per party"):
        run_batch(U, [0, 0], ["linear"])
    bad_threat = Protocol(escalations=(Escalation(round=1, party=0, reservation=(0.0, 9.0)),))
    with pytest.raises(BargainingError, match=r"escalations\[0\]\.reservation"):
        run_session(U, [0, 0], bad_threat, ("linear", "linear"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "bouware",
            "unknown strategy 'bouware'; known strategies: boulware, conceder, equilibrium",
        ),
        ("conceder:e=fast", "e must be a number"),
        ("micro:e=2", "unknown parameter(s) e for 'micro'"),
        ("linear:ac=maybe", "unknown acceptance 'maybe'"),
        ("linear:e", "expected key=value"),
        ("timebased:e=-1", "exponent e must be > 0"),
    ],
)
def test_bad_strategy_names(text: str, message: str) -> None:
    with pytest.raises(BargainingError) as info:
        parse_strategy(text)
    assert message in str(info.value)


def test_protocol_checks() -> None:
    with pytest.raises(BargainingError, match="deadline"):
        Protocol(rounds=None)
    with pytest.raises(BargainingError, match="discount"):
        Protocol(discount=1.5)
    with pytest.raises(BargainingError, match="expected 1 or 2 factors"):
        run_session(U, [0, 0], Protocol(discount=(0.9, 0.9, 0.9)), ("linear", "linear"))


def test_mixed_radix_codes_round_trip_and_follow_product_order() -> None:
    space = OutcomeSpace(
        (Issue("a", ("x", "y")), Issue("b", ("1", "2", "3")), Issue.continuous("c", 0, 1, 4))
    )
    assert space.n_outcomes == 24
    table = space.values_table()
    import itertools

    assert table.tolist() == [list(t) for t in itertools.product(range(2), range(3), range(4))]
    np.testing.assert_array_equal(space.encode(table), np.arange(24))
    assert space.labels(23) == {"a": "y", "b": "3", "c": "1"}
    assert space.code_of({"a": "y", "b": "3", "c": "1"}) == 23
    with pytest.raises(BargainingError):
        space.decode(24)
    with pytest.raises(BargainingError, match="duplicate values"):
        Issue("d", ("1", "1"))


def test_linear_additive_equals_the_sum_of_weighted_values() -> None:
    rng = np.random.default_rng(0)
    space = OutcomeSpace.from_sizes([3, 2, 4])
    w = rng.random(3)
    vals = [rng.random(n) for n in space.radices]
    u = linear_additive_utilities(space, w, vals)
    for code, idx in enumerate(space.values_table()):
        assert u[code] == pytest.approx(sum(w[i] * vals[i][v] for i, v in enumerate(idx)))
    with pytest.raises(BargainingError, match="expected 2 values"):
        linear_additive_utilities(space, w, [vals[0], np.ones(3), vals[2]])


def test_bundled_genius_domain_reads_with_genius_normalisation() -> None:
    assert "ItexvsCypress" in bundled_domains()
    domain = read_genius_domain("ItexvsCypress")
    assert [p.name for p in domain.profiles] == ["Cypress", "Itex"]
    assert domain.space.radices == (5, 4, 3, 3)
    problem = domain.problem()
    itex = problem.utilities[1]
    # Itex (ItexvsCypress_Itex.xml): $4.37 → 30/30, 45 days → 20/20, 30 days after → 25/25,
    # 5% spoilage → 30/30: the best outcome, worth the sum of the weights (≈ 1)
    code = domain.space.code_of(
        {
            "Price": "$4.37",
            "Delivery": "45 days",
            "Payment": "30 days after delivery",
            "Returns": "5% spoilage allowed",
        }
    )
    weights = [0.28812635027374, 0.1915290482981283, 0.24212575877553694, 0.2782188426525948]
    assert itex[code] == pytest.approx(1.0) and itex.max() == itex[code]
    cheap = domain.space.code_of(
        {
            "Price": "$3.47",
            "Delivery": "60 days",
            "Payment": "60 days after delivery",
            "Returns": "Full price",
        }
    )
    expected = (
        weights[0] * 1 / 30 + weights[1] * 1 / 20 + weights[2] * 1 / 25 + weights[3] * 1 / 30
    ) / sum(weights)
    assert itex[cheap] == pytest.approx(expected)
    assert problem.reservation.tolist() == [0.0, 0.0]


def test_genius_export_round_trips(tmp_path: Path) -> None:
    domain = read_genius_domain("ItexvsCypress")
    files = write_genius_domain(domain, tmp_path / "ItexvsCypress")
    assert len(files) == 3
    again = read_genius_domain(tmp_path / "ItexvsCypress")
    assert again.space == domain.space and again.profiles == domain.profiles
    np.testing.assert_array_equal(again.problem().utilities, domain.problem().utilities)


def test_bad_genius_folders(tmp_path: Path) -> None:
    with pytest.raises(BargainingError, match="not a directory nor a bundled domain"):
        read_genius_domain(tmp_path / "nowhere")
    with pytest.raises(BargainingError, match=r"no \.xml files"):
        read_genius_domain(tmp_path)
    write_genius_domain(read_genius_domain("ItexvsCypress"), tmp_path / "d")
    broken = tmp_path / "d" / "ItexvsCypress_Itex.xml"
    broken.write_text(broken.read_text().replace('evaluation="1.0"', 'evaluatio="1.0"', 1))
    with pytest.raises(BargainingError, match="no evaluation for"):
        read_genius_domain(tmp_path / "d")
    broken.write_text("<utility_space><oops></utility_space>")
    with pytest.raises(BargainingError, match="not valid XML"):
        read_genius_domain(tmp_path / "d")


SHOP = Path(__file__).parent / "data" / "shop"


def test_integer_issues_round_trip_as_linear_evaluators(tmp_path: Path) -> None:
    domain = read_genius_domain(SHOP)
    assert domain.space.issues[0].values == ("1", "2", "3", "4", "5")
    buyer = domain.profiles[0]
    assert buyer.values[0] == (1.0, 0.75, 0.5, 0.25, 0.0) and buyer.scored == (False, True)
    # GENIUS normalisation rescales scored issues only: blue (6) → 1, the evaluator as is
    u = domain.problem().utilities[0]
    code = domain.space.code_of({"Price": "1", "Color": "blue"})
    assert u[code] == pytest.approx(0.7 * 1.0 + 0.3 * 1.0)
    write_genius_domain(domain, tmp_path / "shop")
    text = (tmp_path / "shop" / "shop_buyer.xml").read_text()
    assert 'ftype="linear"' in text
    again = read_genius_domain(tmp_path / "shop")
    assert again.profiles == domain.profiles and again.space == domain.space


def test_real_issues_are_discretised_on_request(tmp_path: Path) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    for f in SHOP.glob("*.xml"):
        text = f.read_text().replace(
            'etype="integer" type="integer" vtype="integer"',
            'etype="real" type="real" vtype="real"',
        )
        (folder / f.name).write_text(text)
    with pytest.raises(BargainingError, match="pass real_values=N"):
        read_genius_domain(folder)
    domain = read_genius_domain(folder, real_values=9)
    assert domain.space.radices == (9, 3)
    assert domain.profiles[0].values[0][0] == pytest.approx(1.0)  # 1.25 - 0.25 * 1
    assert domain.profiles[0].values[0][-1] == pytest.approx(0.0)  # 1.25 - 0.25 * 5


def test_huge_finite_utilities_are_not_mistaken_for_infinite() -> None:
    u = np.array([[1e308, 1e308], [1.0, 2.0]])  # their sum overflows; each entry is finite
    assert BargainingProblem(u, [0.0, 0.0]).n_outcomes == 2


def test_one_strategy_name_instead_of_one_per_party() -> None:
    with pytest.raises(BargainingError, match="one strategy per party"):
        run_session(U, [0, 0], Protocol(), "micro")  # type: ignore[arg-type]
