"""Sweeps and pricing on a Dask LocalCluster of two workers, one of them killed mid-sweep."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tradetalks.cluster import connect, pricing_on, run_batches
from tradetalks.game import GameSetup, batch_plan, prepare_game, sweep_batch
from tradetalks.scenario import load_scenario, scenario_text
from tradetalks.store import RunStore

SCENARIO = "us-japan-1995-autos"
SEED = 7


@pytest.fixture(scope="module")
def local_setup() -> GameSetup:
    return prepare_game(load_scenario(SCENARIO), workers=1)


@pytest.fixture(scope="module")
def client() -> Any:
    with connect("local", workers=2) as c:
        yield c


def test_pricing_on_the_cluster_equals_local_pricing(client: Any, local_setup: GameSetup) -> None:
    with pricing_on(client):
        remote = prepare_game(load_scenario(SCENARIO))
    assert remote.n_solves == local_setup.n_solves > 0
    np.testing.assert_array_equal(remote.indicators, local_setup.indicators)
    for a, b in zip(remote.grids, local_setup.grids, strict=True):
        np.testing.assert_array_equal(a.indicators, b.indicators)


def test_a_killed_worker_loses_and_duplicates_nothing(
    client: Any, local_setup: GameSetup, tmp_path: Path
) -> None:
    plan = batch_plan(16_000, 1_000)
    with RunStore(tmp_path / "runs.duckdb") as store:
        run_id = store.start_run(kind="sweep", scenario_id=SCENARIO,
                                 scenario_text=scenario_text(SCENARIO)[0],
                                 data_version=local_setup.data_version, seed=SEED,
                                 settings={"sessions": 16_000})  # fmt: skip
        saved: list[tuple[int, bool]] = []
        killed: list[int] = []

        def save(index: int, size: int, tables: dict[str, pd.DataFrame]) -> None:
            saved.append((index, store.save_batch(run_id, index, tables)))
            if not killed:  # kill -9 a worker that is computing a batch right now
                pids = client.run(os.getpid)
                busy = [w for w, keys in client.processing().items() if keys] or list(pids)
                killed.append(pids[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)

        run_batches(client, local_setup, plan, SEED, None, save, timeout=600)
        # A batch saved twice would answer False the second time.
        assert killed and sorted(i for i, ok in saved if ok) == [b[0] for b in plan]
        assert store.finished_batches(run_id) == {b[0] for b in plan}
        sessions = store.get_run(run_id, tables=["sessions"]).tables["sessions"]
    assert sorted(sessions["session"]) == list(range(16_000))
    # The same sessions as a serial sweep (spot-check two batches, one of each end).
    for index, first, size in (plan[0], plan[-1]):
        serial = sweep_batch(local_setup, index, first, size, SEED)["sessions"]
        mine = sessions[sessions["session"].between(first, first + size - 1)]
        pd.testing.assert_frame_equal(
            mine.sort_values("session").reset_index(drop=True),
            serial.reset_index(drop=True),
            check_dtype=False,
        )


def test_bad_cluster_options_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tradetalks.cli import main

    for args, message in (
        (["--dask", "remote"], "the only value is 'local'"),
        (["--dask", "local", "--scheduler", "tcp://h:1"], "not both"),
        (["--scheduler", "h:8786"], "expected an address such as tcp://HOST:8786"),
    ):
        with pytest.raises(SystemExit) as done:
            main(["sweep", SCENARIO, "-n", "10", "--store", str(tmp_path / "s.duckdb"), *args])
        assert done.value.code == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
