"""Outside options, caps and tables in scenario files: what loads, and each problem's message."""

import pytest

from tradetalks import Problem, ScenarioError
from tradetalks.scenario import load_scenario, loads_scenario, scenario_text
from tradetalks.scenario._outside import exceeding_options

BASE = "us-japan-1995-autos"


def _load(extra: str, base: str = BASE) -> object:
    return loads_scenario(scenario_text(base)[0] + "\n" + extra, source="test.toml")


def _problems(extra: str, base: str = BASE) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        _load(extra, base)
    return [p for p in info.value.problems if isinstance(p, Problem)]


def _has(problems: list[Problem], field: str, words: str) -> bool:
    return any(p.field == field and words in p.message for p in problems)


GOOD = """
[[outside_options]]
id = "eu_deal"
label = "A deal with the EU"
partners = ["JPN", "EU"]
affects = ["JPN"]
probability = 0.5

[[outside_options.measures]]
instrument = "tariff"
applied_by = "EU"
applied_to = "JPN"
sectors = ["c15"]
after = 0.0
"""


def test_old_files_load_with_no_outside_options_caps_or_tables() -> None:
    for name in ("us-japan-1994-framework", "us-japan-1995-autos"):
        s = load_scenario(name)
        assert (s.outside_options, s.caps, s.tables) == ([], [], [])


def test_an_outside_option_loads_with_its_measures() -> None:
    s = _load(GOOD)
    (o,) = s.outside_options  # type: ignore[attr-defined]
    assert o.chance == 0.5 and o.scope == "no_deal"
    issue = o.measures[0].as_issue()
    assert issue.instrument == "tariff" and issue.option_ids() == ["before", "after"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ('partners = ["JPN", "XYZ"]', "outside_options[0].partners", "'XYZ' is neither"),
        ('affects = ["KOR"]', "outside_options[0].affects", "'KOR' is not a party"),
        ("probability = 1.5", "outside_options[0].probability", "a probability in [0, 1]"),
        ("probability = -0.1", "outside_options[0].probability", "a probability in [0, 1]"),
        ('scope = "sometimes"', "outside_options[0].scope", ""),
    ],
)
def test_bad_outside_options_name_their_field(change: str, field: str, words: str) -> None:
    key = change.split(" = ")[0]
    lines = [ln for ln in GOOD.splitlines() if not ln.startswith(f"{key} = ")]
    text = "\n".join(lines).replace('label = "A deal with the EU"',
                                    f'label = "A deal with the EU"\n{change}')  # fmt: skip
    problems = _problems(text)
    assert _has(problems, field, words), [str(p) for p in problems]


def test_an_outside_option_needs_a_probability_or_a_date() -> None:
    problems = _problems(GOOD.replace("probability = 0.5\n", ""))
    assert _has(problems, "outside_options[0].probability", "needs a probability, a date"), problems


def test_a_date_must_fall_inside_the_talks() -> None:
    # The 1995 talks run from 16 May ([protocol] start) to the 28 June 1995 deadline.
    inside = _load(GOOD.replace("probability = 0.5", "date = 1995-06-01"))
    assert inside.outside_options[0].chance == 1.0  # type: ignore[attr-defined]
    for day in ("1990-01-01", "1995-05-15", "1995-06-29"):
        problems = _problems(GOOD.replace("probability = 0.5", f"date = {day}"))
        assert _has(problems, "outside_options[0].date", "outside the talks"), problems
    # Talks without dates cannot place one.
    undated = _problems(GOOD.replace("probability = 0.5", "date = 2018-10-01"),
                        base="us-japan-2018-bilateral")  # fmt: skip
    assert _has(undated, "outside_options[2].date", "needs the talks' dates"), undated


def test_a_measure_is_checked_like_an_issue() -> None:
    trq = GOOD.replace('instrument = "tariff"', 'instrument = "trq"').replace(
        "after = 0.0", "after = 100.0\nbefore = 50.0"
    )
    assert _has(_problems(trq), "outside_options[0].measures[0].in_quota_rate", "in_quota_rate")
    ntb = GOOD.replace('instrument = "tariff"', 'instrument = "ntb"')
    assert _has(_problems(ntb), "outside_options[0].measures[0].before", "needs before")
    bad_sector = GOOD.replace('sectors = ["c15"]', 'sectors = ["c99"]')
    assert _has(_problems(bad_sector), "outside_options[0].measures[0].sectors", "c99")


def test_an_undeclared_source_is_named() -> None:
    cited = GOOD.replace("probability = 0.5", 'probability = { value = 0.5, source = "nope" }')
    assert _has(_problems(cited), "outside_options[0].probability.source", "'nope'")


def test_caps_name_a_party_an_issue_and_one_of_its_options() -> None:
    s = load_scenario(BASE)
    issue = next(i for i in s.issues if i.is_ordered)
    option = issue.option_ids()[1]
    good = f'[[caps]]\nparty = "JPN"\nissue = "{issue.id}"\nmax_option = "{option}"\n'
    assert _load(good).caps[0].max_option == option  # type: ignore[attr-defined]
    assert _has(_problems(good.replace('"JPN"', '"KOR"')), "caps[0].party", "not a party")
    assert _has(_problems(good.replace(issue.id, "nothing")), "caps[0].issue", "unknown issue")
    bad = good.replace(f'max_option = "{option}"', 'max_option = "zz"')
    assert _has(_problems(bad), "caps[0].max_option", "'zz' is not an option")


def test_every_issue_is_settled_at_exactly_one_table() -> None:
    s = load_scenario(BASE)
    first, *rest = [i.id for i in s.issues]
    tables = (f'[[tables]]\nid = "a"\nparties = ["USA", "JPN"]\nissues = ["{first}"]\n'
              f'ratified = "alone"\n[[tables]]\nid = "b"\nparties = ["USA", "JPN"]\n'
              f"issues = {rest!r}\n").replace("'", '"')  # fmt: skip
    assert [t.id for t in _load(tables).tables] == ["a", "b"]  # type: ignore[attr-defined]
    twice = tables.replace(f'issues = ["{first}"]', f'issues = ["{first}", "{rest[0]}"]')
    assert _has(_problems(twice), "tables[1].issues", "already settled at table 'a'")
    missing = tables.split('[[tables]]\nid = "b"')[0]
    assert _has(_problems(missing), "tables", "settled at no table")


def test_exceeding_options_lie_beyond_the_cap_away_from_the_status_quo() -> None:
    s = load_scenario("us-japan-2018-bilateral")
    farm = s.issue("farm_access")  # mfn (status quo), partial, tpp_level, beyond_tpp
    assert exceeding_options(farm, "tpp_level") == [3]
    assert exceeding_options(farm, "mfn") == [1, 2, 3]
    assert exceeding_options(farm, "beyond_tpp") == []
    # Reference: options whose quota lies above the cap's (more access than the cap allows).
    values = [o.value.value for o in farm.options if o.value is not None]
    for k, cap in enumerate(farm.option_ids()):
        assert exceeding_options(farm, cap) == [j for j, v in enumerate(values) if v > values[k]]
