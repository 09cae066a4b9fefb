"""Every episode's answers and sources against a copy of the development record."""

import tomllib
from importlib import resources

import pytest
from _record import episode, record, sources_of, walk

from tradetalks.casebook import builtin_episodes, load_casebook
from tradetalks.scenario import Quantity, iter_cited

ENTRIES = load_casebook()
IDS = [e.episode.id for e in ENTRIES]
AUTHORED = [e for e in ENTRIES if not e.episode.scenario.startswith("builtin:")]


def test_the_book_has_ten_episodes_and_thirty_questions() -> None:
    assert builtin_episodes() == sorted(IDS)
    assert len(ENTRIES) >= 10
    assert sum(len(e.episode.questions) for e in ENTRIES) >= 30
    builtin = {e.episode.scenario for e in ENTRIES} - {"scenario.toml"}
    assert builtin == {
        "builtin:us-japan-1994-framework",
        "builtin:us-japan-1995-autos",
        "builtin:us-japan-2014-tpp",
        "builtin:us-japan-2018-bilateral",
    }
    # at least six episodes authored from six different episodes of the record
    assert len({e.episode.record for e in AUTHORED}) >= 6


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_cited_sources_are_registered_with_their_titles(entry) -> None:
    registered = record()["sources"]
    for s in entry.episode.sources:
        assert s.key in registered, s.key
        assert (s.title, s.url, s.quality) == (
            registered[s.key]["title"],
            registered[s.key]["url"],
            registered[s.key]["quality"],
        )
    cited = {k for q in entry.episode.questions for k in q.sources}
    assert cited == {s.key for s in entry.episode.sources}  # ships only what it needs


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_every_answer_is_the_records(entry) -> None:
    ep = episode(entry.episode.record)
    unsourced = [str(u) for u in ep.get("unsourced", [])]
    for q in entry.episode.questions:
        for ref in q.record:
            assert not ref.path.startswith("unsourced")
            assert walk(ep, ref.path)[-1] == ref.value, (q.id, ref.path)
            assert str(ref.value) not in unsourced


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_question_sources_are_those_of_the_answer(entry) -> None:
    ep = episode(entry.episode.record)
    for q in entry.episode.questions:
        given = set().union(*(sources_of(ep, ref.path) for ref in q.record))
        assert given, f"{q.id}: the record cites nothing for its answer"
        assert set(q.sources) <= given, q.id


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_every_episode_states_its_cutoff_and_what_the_format_lacks(entry) -> None:
    assert entry.episode.cutoff_note
    assert entry.episode.gaps


@pytest.mark.parametrize("entry", AUTHORED, ids=[e.episode.id for e in AUTHORED])
def test_authored_scenarios_cite_registered_sources_or_assumptions(entry) -> None:
    registered = record()["sources"]
    s = entry.scenario
    for src in s.sources:
        if src.id in ("assumption", "wiod"):
            continue
        assert src.id in registered, src.id
        assert registered[src.id]["url"] in src.citation
    assert "not a reported fact" in s.source("assumption").citation
    uncited = [
        path
        for path, q in iter_cited(s)
        if isinstance(q, Quantity) and "value" in q.model_fields_set and q.source is None
    ]
    assert [p for p in uncited if not (p.endswith(".weight") and "stakes" in p)] == []
    assert all(u.source for u in s.uncertainty)
    assert all(t.deadline is not None and t.deadline.source for t in s.threats)


def _numbers(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(node, bool):
        return []
    if isinstance(node, int | float):
        return [path]
    if isinstance(node, dict):
        return [n for k, v in node.items() for n in _numbers(v, (*path, k))]
    if isinstance(node, list):
        return [n for k, v in enumerate(node) for n in _numbers(v, (*path, k))]
    return []


@pytest.mark.parametrize("entry", AUTHORED, ids=[e.episode.id for e in AUTHORED])
def test_every_number_in_an_authored_file_sits_under_a_source(entry) -> None:
    folder = resources.files("tradetalks.casebook").joinpath("episodes", entry.episode.id)
    doc = tomllib.loads(folder.joinpath("scenario.toml").read_text(encoding="utf-8"))
    uncovered = []
    for path in _numbers(doc):
        if path == ("economics", "year"):
            assert doc["economics"]["year_source"] == "wiod"
            continue
        if path[0] == "threats" and path[2] == "credibility_range":
            continue  # cited by the [[uncertainty]] range of the same threat
        tables = [doc]
        for key in path[:-1]:
            tables.append(tables[-1][key])  # type: ignore[index]
        if not any(isinstance(t, dict) and "source" in t for t in tables):
            uncovered.append(path)
    assert uncovered == []


def test_option_ids_do_not_spell_the_recorded_figures() -> None:
    """Options are named before the outcome: no recorded number may appear in an option id."""
    for entry in AUTHORED:
        figures = {
            str(ref.value)
            for q in entry.episode.questions
            for ref in q.record
            if isinstance(ref.value, int | float) and not isinstance(ref.value, bool)
        }
        ids = [o.id for i in entry.scenario.issues for o in i.options]
        assert not [(i, f) for i in ids for f in figures if f in i], entry.episode.id
