"""Outside options, caps and linked tables on the 2018 US–Japan talks (priced on WIOD)."""

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks.game import (
    GameSetup,
    analysis_summary,
    prepare_game,
    scenario_parameters,
    solve_game,
    sweep_batch,
)
from tradetalks.game._outside import option_values
from tradetalks.scenario import Scenario, load_scenario
from tradetalks.scenario._outside import Cap, Measure, OutsideOption, Table


class _Memory:
    """An in-memory price cache, so that variants of one scenario are priced once."""

    def __init__(self) -> None:
        self.arrays: dict[str, dict[str, npt.NDArray[Any]]] = {}

    def get_cached_arrays(self, key: str) -> dict[str, npt.NDArray[Any]] | None:
        return self.arrays.get(key)

    def put_cached_arrays(self, key: str, arrays: Any) -> None:
        self.arrays[key] = {k: np.asarray(v) for k, v in arrays.items()}


CACHE = _Memory()


@pytest.fixture(scope="module")
def bare() -> Scenario:
    """The 2018 talks without their outside options and cap."""
    s = load_scenario("us-japan-2018-bilateral")
    return s.model_copy(update={"outside_options": [], "caps": []})


@pytest.fixture(scope="module")
def plain(bare: Scenario) -> GameSetup:
    return prepare_game(bare, workers=1, cache=CACHE)


def _variant(s: Scenario, **update: Any) -> GameSetup:
    return prepare_game(s.model_copy(update=update), workers=1, cache=CACHE)


#: A big opening of the EU market to Japanese manufactures (an NTB of 100% removed).
BIG = Measure(instrument="ntb", applied_by="EU", applied_to="JPN",
              sectors=[f"c{k}" for k in range(4, 17)], before=1.0, after=0.0)  # type: ignore[arg-type]  # fmt: skip


def _option(measures: list[Measure], probability: float, **more: Any) -> OutsideOption:
    return OutsideOption(id="eu", label="EU deal", partners=["JPN", "EU"], affects=["JPN"],
                         probability=probability, measures=measures, **more)  # type: ignore[arg-type]  # fmt: skip


def test_an_outside_option_worth_more_than_every_deal_empties_that_partys_win_set(
    bare: Scenario, plain: GameSetup
) -> None:
    before = solve_game(plain, scenario_parameters(plain))
    setup = _variant(bare, outside_options=[_option([BIG], 1.0)])
    after = solve_game(setup, scenario_parameters(setup))
    jpn = 1
    assert before.win_sets[0, jpn].any()
    # Built to be worth more to Japan than every deal:
    assert after.no_deal[0, jpn] > after.utility[0, jpn].max()
    assert not after.win_sets[0, jpn].any() and not after.zopa.any()
    # It affects Japan only: the US decides exactly as before.
    np.testing.assert_array_equal(after.utility[0, 0], before.utility[0, 0])
    np.testing.assert_array_equal(after.win_sets[0, 0], before.win_sets[0, 0])
    summary = analysis_summary(setup, after)
    assert summary["win_set_sizes"]["JPN"] == 0
    assert summary["win_set_sizes_without_outside"]["JPN"] == int(before.win_sets[0, jpn].sum())
    assert summary["no_deal_without_outside"]["JPN"] == pytest.approx(before.no_deal[0, jpn])


@pytest.mark.parametrize("kind", ["no measures", "probability 0"])
def test_an_outside_option_of_zero_value_changes_nothing(
    bare: Scenario, plain: GameSetup, kind: str
) -> None:
    option = _option([], 1.0) if kind == "no measures" else _option([BIG], 0.0)
    setup = _variant(bare, outside_options=[option])
    a, b = (
        solve_game(plain, scenario_parameters(plain)),
        solve_game(setup, scenario_parameters(setup)),
    )
    for field in ("utility", "no_deal", "stakes", "ratified", "win_sets", "credible"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    with_option = analysis_summary(setup, b)
    assert with_option["outside_options"][0]["value"] == {"USA": 0.0, "JPN": 0.0}
    added = {"no_deal_without_outside", "win_set_sizes_without_outside", "outside_options"}
    assert {k: v for k, v in with_option.items() if k not in added} == analysis_summary(plain, a)
    one, other = sweep_batch(plain, 1, 0, 200, seed=11), sweep_batch(setup, 1, 0, 200, seed=11)
    for name in ("sessions", "params"):
        assert one[name].equals(other[name])


@settings(max_examples=10, deadline=None)
@given(p=st.floats(0.0, 1.0))
def test_an_outside_option_counts_with_its_probability(bare: Scenario, p: float) -> None:
    """No-deal values move linearly in the chance: the expected value of the option."""
    sure = _variant(bare, outside_options=[_option([BIG], 1.0)])
    maybe = _variant(bare, outside_options=[_option([BIG], p)])  # priced once: from the cache
    never = _variant(bare, outside_options=[_option([BIG], 0.0)])
    assert maybe.n_solves == 0
    values = [solve_game(x, scenario_parameters(x)).no_deal[0] for x in (sure, maybe, never)]
    np.testing.assert_allclose(values[1] - values[2], p * (values[0] - values[2]),
                               rtol=1e-9, atol=1e-9 * np.abs(values[0]).max())  # fmt: skip
    assert values[1][0] == values[2][0]  # the US is not affected
    weights = scenario_parameters(sure).weights[0]
    assert sure.outside is not None and maybe.outside is not None
    np.testing.assert_allclose(
        option_values(maybe.outside, maybe.model, weights, maybe.n_outcomes),
        p * option_values(sure.outside, sure.model, weights, sure.n_outcomes),
        atol=1e-300,  # p may be subnormal: products below the smallest normal float lose digits
    )


def test_a_cap_removes_exactly_the_options_above_it(bare: Scenario, plain: GameSetup) -> None:
    capped = _variant(bare, caps=[Cap(party="JPN", issue="farm_access", max_option="partial")])
    a = solve_game(plain, scenario_parameters(plain))
    b = solve_game(capped, scenario_parameters(capped))
    farm = bare.issue("farm_access")
    k = [i.id for i in bare.issues].index("farm_access")
    # Reference from the option values: a larger quota than the cap's is more access.
    value = [o.value.value for o in farm.options if o.value is not None]
    cap = value[farm.option_ids().index("partial")]
    within = np.array([value[j] <= cap for j in plain.options[:, k]])
    np.testing.assert_array_equal(b.ratified[0, 1], a.ratified[0, 1] & within)
    np.testing.assert_array_equal(b.ratified[0, 0], a.ratified[0, 0])
    (summary,) = analysis_summary(capped, b)["caps"]
    assert summary["removed_options"] == ["tpp_level", "beyond_tpp"]
    assert summary["removed_outcomes"] == int((~within).sum()) == 8


def _tables(ratified: str) -> list[Table]:
    return [
        Table(id="access", parties=["USA", "JPN"], issues=["us_car_tariff"], ratified=ratified),  # type: ignore[arg-type]
        Table(id="package", parties=["USA", "JPN"], issues=["farm_access", "auto_production"]),
    ]


def test_a_package_ratified_as_a_whole_differs_from_ratifying_its_first_table_alone(
    bare: Scenario,
) -> None:
    alone = _variant(bare, tables=_tables("alone"))
    package = _variant(bare, tables=_tables("with_package"))
    # A Congress that wants a large majority and no leader's push (built to show it): the
    # car tariff cut alone lacks the farm vote that the package with farm access has.
    ids = [i.id for i in bare.issues]
    sq = [i.status_quo_index() for i in bare.issues]
    parts = []
    for o in range(alone.n_outcomes):
        part = list(alone.options[o])
        for issue in ("farm_access", "auto_production"):
            part[ids.index(issue)] = sq[ids.index(issue)]
        parts.append(int(alone.space.encode(np.array(part))))
    fewer = []
    for threshold in (0.5, 0.7, 0.9):
        params = replace(scenario_parameters(alone), threshold=np.array([[threshold, 0.5]]),
                         leader_strength=np.array([[0.0, 0.4]]))  # fmt: skip
        a, b = solve_game(alone, params), solve_game(package, params)
        assert (a.ratified <= b.ratified).all() and (a.win_sets <= b.win_sets).all()
        fewer.append(int(b.ratified[0, 0].sum() - a.ratified[0, 0].sum()))
        # Brute force: o passes when the package and its car part on its own both pass.
        for o, q in enumerate(parts):
            np.testing.assert_array_equal(
                a.ratified[0, :, o], b.ratified[0, :, o] & b.ratified[0, :, q]
            )
    assert max(fewer) > 0, fewer


def test_old_files_take_the_path_of_before(plain: GameSetup) -> None:
    """A file without outside options, caps or tables: nothing priced, nothing narrowed."""
    setup = prepare_game(load_scenario("us-japan-1995-autos"), workers=1, cache=CACHE)
    assert setup.outside is None and plain.outside is None
    params = scenario_parameters(setup)
    a, b = solve_game(setup, params), solve_game(setup, params, outside=False)
    for field in ("utility", "no_deal", "ratified", "win_sets"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    summary = analysis_summary(setup, a)
    assert not {"outside_options", "caps", "tables", "no_deal_without_outside"} & set(summary)


def test_a_chance_of_zero_does_not_leave_zero_prices_in_the_cache(bare: Scenario) -> None:
    cache = _Memory()
    for p in (0.0, 1.0):
        s = bare.model_copy(update={"outside_options": [_option([BIG], p)]})
        setup = prepare_game(s, workers=1, cache=cache)
        assert setup.outside is not None and np.abs(setup.outside.effect).max() > 0
