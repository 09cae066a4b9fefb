"""Leave-one-episode-out choice of model-wide settings."""

import pytest
from _record import FORCED

from tradetalks import InputError
from tradetalks.casebook import (
    DEFAULT_GRID,
    ModelSettings,
    cross_validate,
    load_casebook,
    load_episode,
    score_forecasts,
)
from tradetalks.casebook._cv import choose_settings

ENTRIES = load_casebook(["us-japan-1995-autos", "us-korea-2018-korus", "us-japan-1992-bush-tokyo"])


def _forecasts(right_on: set[str]) -> dict:
    """Certain and right on the episodes in ``right_on``, certain and wrong elsewhere."""
    out = {}
    for e in ENTRIES:
        for q in e.episode.questions:
            keys = (
                ["yes", "no"]
                if q.read.kind != "option"
                else e.scenario.issue(q.read.issue).option_ids()
            )
            record = ("yes" if q.answer else "no") if isinstance(q.answer, bool) else q.answer
            good = e.episode.id in right_on
            out[(e.episode.id, q.id)] = {
                k: float((k == record) == good) if len(keys) == 2 else float(k == record) * good
                for k in keys
            }
    return out


def test_the_held_out_episode_never_chooses_its_own_setting() -> None:
    ids = [e.episode.id for e in ENTRIES]
    everywhere_but_last = score_forecasts(ENTRIES, _forecasts(set(ids[:-1])), draws=10)
    only_last = score_forecasts(ENTRIES, _forecasts({ids[-1]}), draws=10)
    results = [only_last, everywhere_but_last]
    # held out: the last episode -> chosen on the others, where 'everywhere_but_last' wins,
    # although 'only_last' is the one that is right on the held-out episode
    assert choose_settings(results, ids[-1]) == 1
    assert choose_settings(results, ids[0]) == 1
    assert choose_settings(results, ids[0], metric="hit") == 1


def test_ties_go_to_the_first_setting_of_the_grid() -> None:
    same = score_forecasts(ENTRIES, _forecasts(set()), draws=10)
    assert choose_settings([same, same], ENTRIES[0].episode.id) == 0


def test_the_declared_grid_starts_with_the_scenarios_as_written() -> None:
    assert DEFAULT_GRID[0] == ModelSettings()
    assert len({g.label for g in DEFAULT_GRID}) == len(DEFAULT_GRID)


def test_cross_validation_scores_out_of_sample_on_a_grid_you_pass() -> None:
    entries = [load_episode(FORCED), *load_casebook(["us-japan-1992-bush-tokyo"])]
    grid = (ModelSettings(), ModelSettings("no threats", credibility=0.0))
    cv = cross_validate(entries, grid, sessions=60)
    assert set(cv.chosen) == {"forced", "us-japan-1992-bush-tokyo"}
    assert set(cv.chosen.values()) <= {g.label for g in grid}
    assert set(cv.in_sample) == {g.label for g in grid}
    assert "leave-one-episode-out" in cv.result.settings
    assert len(cv.result.questions) == sum(len(e.episode.questions) for e in entries)
    assert cv.result.episodes[0].sessions == 60 * len(grid)
    assert cv.to_dict()["metric"] == "brier"
    with pytest.raises(ValueError, match="empty"):
        cross_validate(entries, (), sessions=10)
    with pytest.raises(InputError, match="at least 2 episodes"):
        cross_validate(entries[:1], grid, sessions=10)
    with pytest.raises(ValueError, match="distinct labels"):
        cross_validate(entries, (ModelSettings(), ModelSettings(credibility=0.5)), sessions=10)
