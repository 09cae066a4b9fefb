"""The corpus of broken scenarios: one file per check, each with the message it must produce."""

import tomllib
from pathlib import Path

import pytest

from tradetalks import Problem, ScenarioError
from tradetalks.scenario import load_scenario

BROKEN = Path(__file__).parent / "broken"
EXPECTED = tomllib.loads((BROKEN / "expected.toml").read_text())


def test_every_broken_file_has_an_expectation() -> None:
    files = {p.stem for p in BROKEN.glob("*.toml")} - {"expected"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gives_its_message(name: str) -> None:
    want = EXPECTED[name]
    path = BROKEN / f"{name}.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = [p for p in info.value.problems if isinstance(p, Problem)]
    assert problems, info.value.problems
    assert all(p.source == str(path) for p in problems)
    matching = [p for p in problems if p.field == want["field"] and want["message"] in p.message]
    assert matching, [str(p) for p in problems]
    assert matching[0].line == want.get("line")
