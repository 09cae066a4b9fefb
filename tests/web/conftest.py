"""A workspace, a run store with prices of the 1995 case cached, and the app over them."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from tradetalks.store import RunStore

with warnings.catch_warnings():
    # starlette's test client warns about its httpx backend at import; not our code.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from tradetalks.web import Limits, create_app

SCENARIO = "us-japan-1995-autos"


@pytest.fixture(scope="session")
def warm_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose price cache holds the 1995 case (priced once for every web test)."""
    from tradetalks.game import prepare_game
    from tradetalks.scenario import load_scenario

    path = tmp_path_factory.mktemp("web") / "runs.duckdb"
    prepare_game(load_scenario(SCENARIO), workers=1, cache=RunStore(path, hold_s=0))
    return path


def sessions(n: int, rate: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"session": range(n), "agreed": [i < rate * n for i in range(n)], "note": ["<b>x</b>"] * n}
    )


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, str, str]:
    """A store with two finished runs that differ in seed and agreement rate."""
    path = tmp_path / "runs.duckdb"
    ids = []
    with RunStore(path, hold_s=0) as store:
        for seed, rate in ((1, 0.5), (2, 0.75)):
            run_id = store.start_run(
                kind="run",
                scenario_id="s",
                scenario_text=f"# {seed}\n",
                data_version="d",
                seed=seed,
                settings={"sessions": 8},
            )
            store.save_batch(run_id, 0, {"sessions": sessions(8, rate)})
            store.finish_run(run_id, {"sweep": {"agreement_rate": rate}})
            ids.append(run_id)
    return path, ids[0], ids[1]


def client(**kwargs: object) -> TestClient:
    return TestClient(create_app(**kwargs))  # type: ignore[arg-type]


__all__ = ["SCENARIO", "Limits", "TestClient", "client", "sessions"]
