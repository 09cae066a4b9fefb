"""Episode files: every problem reported with its file, line and field."""

from pathlib import Path

import pytest
from _record import FORCED

from tradetalks import InputError
from tradetalks.casebook import KINDS, Episode, builtin_episodes, load_episode
from tradetalks.casebook._load import cross_check, parse_episode
from tradetalks.scenario import load_scenario

TEXT = (FORCED / "episode.toml").read_text(encoding="utf-8")


def _episode(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "episode"
    folder.mkdir(exist_ok=True)
    (folder / "scenario.toml").write_text((FORCED / "scenario.toml").read_text())
    (folder / "episode.toml").write_text(text)
    return folder


def _lines(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_episode(_episode(tmp_path, text))
    return caught.value.lines()


def _line_of(text: str, needle: str) -> int:
    return next(k for k, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_every_builtin_episode_loads_by_name_and_folder() -> None:
    assert len(builtin_episodes()) >= 10
    entry = load_episode("us-korea-2018-korus")
    assert "us-korea-2018-korus" in entry.origin
    assert load_episode(FORCED).episode.id == load_episode(FORCED / "episode.toml").episode.id


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            'issue = "access", options',
            'issue = "acess", options',
            "questions[2].read",
            "the scenario has no issue 'acess'",
        ),
        (
            'threat = "tariff"',
            'threat = "sanctions"',
            "questions[1].read.threat",
            "the scenario has no threat 'sanctions'",
        ),
        (
            'answer = "closed"',
            'answer = "ajar"',
            "questions[4].answer",
            "issue 'access' has no option(s) ['ajar']",
        ),
        (
            'answer = false\nsources = ["test"]\nrecord = [{ path = "threat"',
            'answer = false\nsources = ["tset"]\nrecord = [{ path = "threat"',
            "questions[1].sources",
            "source 'tset' is not among the episode's [[sources]]",
        ),
        (
            'path = "moved"',
            'path = "unsourced[0]"',
            "questions[3].record[0].path",
            "unsourced items of the record are not targets",
        ),
    ],
)
def test_inconsistent_episodes_name_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    (line,) = _lines(tmp_path, text)
    assert "episode.toml:" in line and f": {field}: {message}" in line
    assert line.split("episode.toml:")[1].split(":")[0].isdigit()


def test_schema_errors_are_located(tmp_path: Path) -> None:
    text = TEXT.replace(
        'answer = true\nsources = ["test"]\nrecord = [{ path = "deal"',
        'answer = "yes"\nsources = ["test"]\nrecord = [{ path = "deal"',
        1,
    )
    (line,) = _lines(tmp_path, text)
    assert "questions[0]" in line and "answer is true or false" in line
    text = TEXT.replace('read = { kind = "agreement" }', 'read = { kind = "agrement" }', 1)
    (line,) = _lines(tmp_path, text)
    assert "questions[0].read" in line and "agreement" in line
    assert f"episode.toml:{_line_of(text, 'agrement')}:" in line
    text = TEXT.replace("cutoff = 2000-01-01\n", "", 1)
    (line,) = _lines(tmp_path, text)
    assert "cutoff: required field is missing" in line


def test_bad_toml_and_missing_scenario(tmp_path: Path) -> None:
    text = TEXT.replace("[[questions]]", "[[questions]", 1)
    (line,) = _lines(tmp_path, text)
    assert "invalid TOML" in line
    assert f"episode.toml:{_line_of(text, '[[questions]')}:" in line
    (line,) = _lines(tmp_path, TEXT.replace('"scenario.toml"', '"builtin:nope"'))
    assert "episode.toml:6: scenario: nope: neither a file nor a built-in scenario" in line
    (line,) = _lines(tmp_path, TEXT.replace('"scenario.toml"', '"../../secret.toml"'))
    assert "scenario: expected 'builtin:NAME' or the name of a .toml file" in line
    folder = _episode(
        tmp_path, TEXT.replace('scenario = "scenario.toml"', 'scenario = "nope.toml"')
    )
    with pytest.raises(InputError) as caught:
        load_episode(folder)
    assert "scenario: cannot read the scenario file" in caught.value.lines()[0]


def test_repeated_question_ids_are_refused() -> None:
    episode = parse_episode(TEXT.replace('id = "threat"', 'id = "deal"'))
    assert isinstance(episode, Episode)
    problems = cross_check(episode, load_scenario(FORCED / "scenario.toml"))
    assert problems == [("questions[1].id", "question id 'deal' is used twice")]


def test_every_kind_of_reading_is_in_the_casebook() -> None:
    from tradetalks.casebook import load_casebook

    kinds = {q.read.kind for e in load_casebook() for q in e.episode.questions}
    assert kinds == set(KINDS)


def test_an_episode_cannot_read_a_scenario_outside_its_folder(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.toml"
    outside.write_text((FORCED / "scenario.toml").read_text())
    folder = _episode(tmp_path, TEXT)
    (folder / "scenario.toml").unlink()
    (folder / "scenario.toml").symlink_to(outside)
    with pytest.raises(InputError) as caught:
        load_episode(folder)
    assert "episode.toml: scenario: path 'scenario.toml' is" in caught.value.lines()[0]
