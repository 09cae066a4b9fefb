"""Scenarios of many parties: groups that negotiate as one, countries priced as part of RoW."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks import Problem, ScenarioError
from tradetalks.scenario import load_scenario, loads_scenario, notices
from tradetalks.scenario._codes import COUNTRY_GROUPS, WIOD_COUNTRIES

HERE = Path(__file__).parent / "nparty"
TOY = (HERE / "three_party.toml").read_text()


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = [p for p in info.value.problems if isinstance(p, Problem)]
    assert problems and all(p.source == str(path) for p in problems)
    return problems


def _has(problems: list[Problem], field: str, words: str) -> Problem:
    hits = [p for p in problems if p.field == field and words in p.message]
    assert hits, [str(p) for p in problems]
    return hits[0]


def _in_row(text: str, codes: str) -> str:
    return text.replace(
        "[economics]\nyear = 2011", f"[economics]\nyear = 2011\npriced_in_row = {codes}"
    )


def _with_members(members: str) -> str:
    return TOY.replace('code = "EU"\nname = "European Union"',
                       f'code = "EU"\nname = "European Union"\nmembers = {members}')  # fmt: skip


def test_a_group_party_stands_for_its_members_and_says_so() -> None:
    s = load_scenario(HERE / "three_party.toml")
    assert s.regions("EU") == COUNTRY_GROUPS["EU"]
    assert s.regions("USA") == ("USA",)
    assert any("EU negotiates as one for AUT, BEL" in n for n in notices(s))


def test_members_may_be_listed(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(_with_members('["DEU", "FRA", "EU15"]'))
    s = load_scenario(path)
    # A group among the members is expanded, and a country listed twice counts once.
    assert s.regions("EU")[:2] == ("DEU", "FRA") and len(s.regions("EU")) == 15


def test_a_member_outside_wiod_must_be_declared(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _with_members('["DEU", "HRV"]'))
    p = _has(problems, "parties[2].members[1]", "'HRV' is not a WIOD country")
    assert "economics.priced_in_row" in p.message
    assert p.line is not None


def test_a_declared_member_is_priced_in_row(tmp_path: Path) -> None:
    text = _in_row(_with_members('["DEU", "HRV"]'), '["HRV"]')
    path = tmp_path / "s.toml"
    path.write_text(text)
    s = load_scenario(path)
    # Among WIOD members, a country priced in RoW is left out of the group's sums.
    assert s.regions("EU") == ("DEU",)
    assert (
        "EU negotiates as one for DEU: its indicators are the sums over them; HRV (in "
        "WIOD's RoW) is not priced" in notices(s)
    )


def test_duplicate_members(tmp_path: Path) -> None:
    _has(_problems(tmp_path, _with_members('["DEU", "FRA", "DEU"]')), "parties[2].members",
         "duplicate member 'DEU'")  # fmt: skip


def test_a_country_negotiates_in_one_party_only(tmp_path: Path) -> None:
    _has(_problems(tmp_path, _with_members('["DEU", "USA"]')), "parties[2].members",
         "'USA' is also a member of USA")  # fmt: skip


def test_an_unknown_party_code_names_the_fix(tmp_path: Path) -> None:
    text = TOY.replace('code = "EU"', 'code = "NZL"').replace('country = "EU"', 'country = "NZL"')
    p = _has(_problems(tmp_path, text), "parties[2].code", "unknown country code 'NZL'")
    assert "priced_in_row" in p.message and "members" in p.message


def test_a_wiod_country_cannot_be_declared_in_row(tmp_path: Path) -> None:
    text = _in_row(TOY, '["JPN", "NZL", "NZL"]')
    problems = _problems(tmp_path, text)
    _has(problems, "economics.priced_in_row[0]", "'JPN' is a WIOD country")
    _has(problems, "economics.priced_in_row", "duplicate country 'NZL'")


def test_a_country_priced_in_row_cannot_apply_a_priced_instrument(tmp_path: Path) -> None:
    text = TOY.replace('code = "EU"', 'code = "NZL"').replace('country = "EU"', 'country = "NZL"')
    text = _in_row(text.replace('applied_by = "EU"', 'applied_by = "NZL"'), '["NZL"]')
    _has(_problems(tmp_path, text), "issues[1].applied_by", "'NZL' is priced as part of RoW")


def test_a_stake_on_an_unknown_country(tmp_path: Path) -> None:
    text = TOY.replace('country = "EU" }]', 'country = "XYZ" }]', 1)
    _has(_problems(tmp_path, text), "parties[2].leader.stakes[0].country",
         "unknown country code 'XYZ'")  # fmt: skip


def test_a_group_may_liberalise_among_its_members_but_not_apply_to_a_member(
    tmp_path: Path,
) -> None:
    among = TOY.replace(
        'applied_by = "EU"\napplied_to = "JPN"', 'applied_by = "EU"\napplied_to = "EU"'
    )
    path = tmp_path / "s.toml"
    path.write_text(among)
    load_scenario(path)
    itself = TOY.replace(
        'applied_by = "EU"\napplied_to = "JPN"', 'applied_by = "EU"\napplied_to = "DEU"'
    )
    _has(
        _problems(tmp_path, itself), "issues[1].applied_to", "cannot apply an instrument to itself"
    )


def test_the_tpp_has_its_twelve_members_five_priced_as_themselves() -> None:
    s = load_scenario("us-japan-2014-tpp")
    codes = [p.code for p in s.parties]
    assert len(codes) == 12 and codes[:2] == ["USA", "JPN"]
    own = [c for c in codes if s.regions(c) == (c,)]
    assert own == ["USA", "JPN", "CAN", "MEX", "AUS"]
    assert {s.regions(c) for c in codes if c not in own} == {("RoW",)}
    assert "NZL, CHL, PER, VNM, MYS, SGP, BRN are priced as part of RoW" in notices(s)[0]
    assert s.stake_unit == "usd_million"
    assert s.issue("farm_access").instrument == "trq"


OUTSIDE = ["NZL", "CHL", "PER", "VNM"]
WIOD = [c for c in WIOD_COUNTRIES if c not in ("RoW", "USA", "JPN")]


def _group(members: list[str]) -> str:
    """The toy with the EU replaced by a party ``XG`` of ``members``, OUTSIDE declared."""
    listed = ", ".join(f'"{m}"' for m in members)
    text = TOY.replace('code = "EU"\nname = "European Union"',
                       f'code = "XG"\nname = "A group"\nmembers = [{listed}]')  # fmt: skip
    for field in ("country", "applied_by"):
        text = text.replace(f'{field} = "EU"', f'{field} = "XG"')
    text = text.replace("parties.EU.", "parties.XG.")
    return _in_row(text, "[" + ", ".join(f'"{c}"' for c in OUTSIDE) + "]")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(WIOD + OUTSIDE + ["EU", "EU15"]), min_size=1, max_size=6))
def test_regions_of_any_member_list(members: list[str]) -> None:
    expanded = [c for m in members for c in COUNTRY_GROUPS.get(m, (m,))]
    wiod = [c for c in expanded if c not in OUTSIDE]
    try:
        s = loads_scenario(_group(members))
    except ScenarioError as e:
        # Only a member listed twice, or an EU tariff applied by RoW alone, is refused.
        assert len(set(members)) < len(members) or not wiod, e.problems
        return
    regions = s.regions("XG")
    # Each WIOD member once, in order; RoW only when every member is priced there.
    assert regions == (tuple(dict.fromkeys(wiod)) if wiod else ("RoW",))
    assert set(regions) <= set(WIOD_COUNTRIES)
