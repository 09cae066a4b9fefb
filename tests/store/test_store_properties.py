"""Property tests: any DataFrame a sweep could produce comes back equal, dtypes included."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradetalks.store import RunStore
from tradetalks.store._tables import arrow_to_frame, frame_to_arrow, join_batches

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
I64 = st.integers(-(2**63), 2**63 - 1)

# name → (element strategy, builder of the column from a list of elements)
COLUMN_KINDS: dict[str, tuple[st.SearchStrategy[Any], Callable[[list[Any]], Any]]] = {
    "int64": (I64, lambda v: np.array(v, dtype=np.int64)),
    "int8": (st.integers(-128, 127), lambda v: np.array(v, dtype=np.int8)),
    "uint16": (st.integers(0, 2**16 - 1), lambda v: np.array(v, dtype=np.uint16)),
    "float64": (st.floats(allow_nan=True, allow_infinity=True), lambda v: np.array(v, float)),
    "float32": (st.floats(width=32), lambda v: np.array(v, dtype=np.float32)),
    "bool": (st.booleans(), lambda v: np.array(v, dtype=bool)),
    "str": (st.none() | TEXT, lambda v: pd.array(v, dtype="str")),
    "object": (st.none() | TEXT, lambda v: pd.Series(v, dtype=object)),
    "Int64": (st.none() | I64, lambda v: pd.array(v, dtype="Int64")),
    "boolean": (st.none() | st.booleans(), lambda v: pd.array(v, dtype="boolean")),
    "category": (st.sampled_from(["autos", "parts", "rice", "glass"]), pd.Categorical),
    "datetime": (
        st.integers(0, 2**40),
        lambda v: np.array(v, dtype="datetime64[s]").astype("datetime64[ns]"),
    ),
}


@st.composite
def frames(draw: st.DrawFn, min_rows: int = 0, max_rows: int = 15) -> pd.DataFrame:
    n = draw(st.integers(min_rows, max_rows))
    names = draw(st.lists(TEXT.filter(bool), min_size=1, max_size=6, unique=True))
    columns: dict[str, Any] = {}
    for name in names:
        kind = draw(st.sampled_from(sorted(COLUMN_KINDS)))
        elements, build = COLUMN_KINDS[kind]
        columns[name] = build(draw(st.lists(elements, min_size=n, max_size=n)))
    return pd.DataFrame(columns)


@given(frame=frames())
@settings(max_examples=100, deadline=None)
def test_any_table_round_trips_through_arrow(frame: pd.DataFrame) -> None:
    back = arrow_to_frame(frame_to_arrow("t", frame))
    pd.testing.assert_frame_equal(back, frame, check_exact=True)


@given(frame=frames(max_rows=25), data=st.data())
@settings(max_examples=100, deadline=None)
def test_batches_joined_in_arrow_equal_the_frame_they_were_cut_from(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(frame)), max_size=4)))
    bounds = [0, *cuts, len(frame)]
    pieces = [
        frame_to_arrow("t", frame.iloc[a:b].reset_index(drop=True)) for a, b in pairwise(bounds)
    ]
    pd.testing.assert_frame_equal(join_batches(pieces), frame, check_exact=True)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> RunStore:
    return RunStore(Path(tmp_path_factory.mktemp("prop")) / "runs.duckdb")


@given(frame=frames(min_rows=0, max_rows=30), data=st.data())
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_batches_read_back_as_the_frame_they_were_cut_from(
    store: RunStore, frame: pd.DataFrame, data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(frame)), max_size=4)))
    bounds = [0, *cuts, len(frame)]
    pieces = [frame.iloc[a:b].reset_index(drop=True) for a, b in pairwise(bounds)]
    order = data.draw(st.permutations(range(len(pieces))))
    run_id = store.start_run(
        kind="sweep", scenario_id="p", scenario_text="p", data_version="d", seed=0, settings={}
    )
    for index in order:  # saved in any order, read back in batch order
        store.save_batch(run_id, index, {"sessions": pieces[index]})
    record = store.get_run(run_id)
    pd.testing.assert_frame_equal(record.tables["sessions"], frame, check_exact=True)
    assert record.info.n_sessions == len(frame)
    assert record.batches == tuple(range(len(pieces)))


def test_batches_with_different_categories_join_with_their_union() -> None:
    from tradetalks.store._tables import concat_batches

    a = pd.DataFrame({"issue": pd.Categorical(["autos", "rice"])})
    b = pd.DataFrame({"issue": pd.Categorical(["glass"])})
    empty = arrow_to_frame(frame_to_arrow("t", a.iloc[:0]))
    assert list(empty["issue"].cat.categories) == ["autos", "rice"]  # kept though empty
    joined = concat_batches([a, empty, b])
    assert list(joined["issue"].astype(str)) == ["autos", "rice", "glass"]
    assert set(joined["issue"].cat.categories) == {"autos", "rice", "glass"}


def test_plain_batches_are_joined_in_arrow(monkeypatch: pytest.MonkeyPatch) -> None:
    import tradetalks.store._tables as tables

    def fail(frames: object) -> None:
        raise AssertionError("took the per-batch path")

    monkeypatch.setattr(tables, "concat_batches", fail)
    frame = pd.DataFrame(
        {"session": np.arange(9), "issue": pd.Categorical(list("abcabcabc")), "u": np.ones(9)}
    )
    pieces = [frame_to_arrow("t", frame.iloc[a : a + 3].reset_index(drop=True)) for a in (0, 3, 6)]
    pd.testing.assert_frame_equal(join_batches(pieces), frame, check_exact=True)
