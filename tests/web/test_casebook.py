"""The casebook over the API: the library's numbers per question, episode and book; 4xx."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import Limits, client

from tradetalks.casebook import builtin_episodes, load_casebook, run_casebook
from tradetalks.store import RunStore

EPISODES = ["us-japan-1995-autos", "us-japan-1992-bush-tokyo"]


def test_scores_are_the_librarys(warm_store: Path, tmp_path: Path) -> None:
    api = client(workspace=tmp_path, store=warm_store)
    response = api.get(f"/api/casebook?episodes={','.join(EPISODES)}&sessions=40&seed=2")
    assert response.status_code == 200, response.text
    got = response.json()
    want = json.loads(json.dumps(run_casebook(
        load_casebook(EPISODES), sessions=40, seed=2, cache=RunStore(warm_store, hold_s=0),
        workers=1).to_dict()))  # fmt: skip
    for key in ("settings", "questions", "scores", "versus_naive", "by_kind"):
        assert got[key] == want[key], key
    assert [e["episode"] for e in got["episodes"]] == EPISODES
    assert [e["summary"] for e in got["episodes"]] == [e["summary"] for e in want["episodes"]]
    assert got["forecasters"] == ["program", "naive", "base_rate"]
    # Per episode: plain means of its questions' scores, recomputed here.
    assert list(got["by_episode"]) == EPISODES
    for episode, row in got["by_episode"].items():
        qs = [q for q in got["questions"] if q["episode"] == episode]
        assert row["questions"] == len(qs) > 0
        for f in got["forecasters"]:
            for m in ("hit", "brier", "log_loss"):
                assert row[f][m] == pytest.approx(np.mean([q["scores"][f][m] for q in qs]))
    # Whole book: the pooled mean over questions, inside its interval.
    for f in got["forecasters"]:
        book = got["scores"][f]["brier"]
        assert book["mean"] == pytest.approx(
            np.mean([q["scores"][f]["brier"] for q in got["questions"]])
        )
        assert book["low"] <= book["mean"] <= book["high"]


def test_cross_validated_names_the_chosen_settings(warm_store: Path, tmp_path: Path) -> None:
    api = client(workspace=tmp_path, store=warm_store)
    got = api.get(f"/api/casebook?episodes={','.join(EPISODES)}&sessions=10&cv=true").json()
    assert got["cv"] is True and set(got["chosen"]) == set(EPISODES)
    assert "leave-one-episode-out" in got["settings"] and got["in_sample"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("sessions=0", "greater than or equal"),
        ("sessions=21", "at most 20"),
        ("episodes=no-such-episode", "no built-in episode 'no-such-episode'"),
        ("episodes=tests/casebook/data/forced", "no built-in episode"),  # never a server path
        ("episodes=..%2F..%2Fetc", "no built-in episode"),
        ("episodes=%2Ftmp", "no built-in episode"),
        ("cv=maybe", "boolean"),
        ("cv=true&episodes=us-japan-1995-autos", "two episodes or more"),
        ("seed=-1", "greater than or equal"),
    ],
)
def test_bad_input_is_422(tmp_path: Path, query: str, words: str) -> None:
    api = client(workspace=tmp_path, store=tmp_path / "r.duckdb",
                 limits=Limits(max_casebook_sessions=20))  # fmt: skip
    response = api.get(f"/api/casebook?{query}")
    assert response.status_code == 422
    assert words in response.text


def test_read_only_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "r.duckdb"
    api = client(workspace=tmp_path, store=store, read_only=True)
    listed = api.get("/api/casebook/episodes").json()
    assert [e["id"] for e in listed] == builtin_episodes()
    got = api.get("/api/casebook?episodes=us-japan-1992-bush-tokyo&sessions=5")
    assert got.status_code == 200 and len(got.json()["questions"]) == listed[2]["questions"]
    assert not store.exists()
