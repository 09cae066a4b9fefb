"""Fuzzing every kind of input through the command line (issue 13).

For each kind (TOML files, goals documents, data tables, numbers on the command line) the
property is the same: the command exits 0 with only finite numbers printed, or exits 1/2 with
one clean ``error:`` line per problem, never a traceback and never a usage box. Examples are
bounded so that the fuzzers add well under a minute to the suite.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from _cli import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NON_FINITE = re.compile(r"(?<![\w.])[-+]?(nan|inf|infinity)(?![\w])", re.IGNORECASE)


def _clean(code: int, out: str, err: str) -> None:
    """Exit 0 with finite numbers only, or one clean error per line; never a traceback."""
    assert "Traceback" not in out + err, err
    assert "╭" not in err, err  # usage boxes are for calling a command wrongly, not bad values
    if code == 0:
        assert not NON_FINITE.search(out), out
        if out.lstrip().startswith(("{", "[")):
            json.loads(out, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    else:
        assert code in (1, 2), (code, err)
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines and lines[0].startswith("error: "), err


def _file(folder: str, name: str, content: str | bytes) -> str:
    path = Path(folder) / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


# --- TOML files: bytes, text, nesting -----------------------------------------------------

toml_text = st.one_of(
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.text(alphabet="[]{}=\"'.,#\n abc123", max_size=200),
    st.integers(1, 400).map(lambda n: "a = " + "[" * n + "]" * n),
    st.integers(1, 400).map(lambda n: "a = " + "{b = " * n + "1" + "}" * n),
)


@FUZZ
@given(text=toml_text, command=st.sampled_from(["validate", "monitor"]))
def test_fuzz_toml_files(capsys: pytest.CaptureFixture[str], text: str, command: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _file(folder, "in.toml", text.encode("utf-8", "surrogatepass"))
        _clean(*run([command, path], capsys))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_fuzz_random_bytes(capsys: pytest.CaptureFixture[str], raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _file(folder, "goals.toml", raw)
        _clean(*run(["monitor", path], capsys))
        _clean(*run(["forecast", "evaluate", path], capsys))


# --- goals documents: valid shape, wild values ------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.sampled_from([0, 1e-300, 1e308, -1e308]),
)
junk = st.one_of(
    numbers,
    st.booleans(),
    st.text(alphabet="[/]$\\{}ab1./", max_size=10),
    st.sampled_from(["../x.csv", "/etc/passwd", "series.csv", "1995", "1995-Q1"]),
)


@st.composite
def goals_docs(draw: st.DrawFn) -> dict[str, Any]:
    criterion: dict[str, Any] = {
        "kind": draw(st.sampled_from(["substantial", "prompt", "sustained", "threshold"])),
        "min_change": draw(numbers),
    }
    goal: dict[str, Any] = {
        "id": draw(st.sampled_from(["g", "a.b", "x-1"])),
        "agreement": draw(st.one_of(st.integers(1900, 2100), junk)),
        "indicator": {"kind": "file", "path": "series.csv"},
        "criteria": [criterion],
    }
    if draw(st.booleans()):
        goal["baseline"] = [draw(st.integers(1980, 2000)), draw(st.integers(1980, 2000))]
    if draw(st.booleans()):  # else a valid goal on wild data
        key = draw(st.sampled_from(["min_change", "within_periods", "target", "periods", "path"]))
        where = goal["indicator"] if key == "path" else criterion
        where[key] = draw(junk)
    return {"title": draw(st.text(alphabet="[/]$ab", max_size=8)), "goals": [goal]}


series_csv = st.lists(
    st.tuples(st.integers(1990, 2000), st.one_of(numbers, st.just(""))), min_size=0, max_size=8
).map(lambda rows: "year,value\n" + "".join(f"{y},{v}\n" for y, v in rows))


@FUZZ
@given(doc=goals_docs(), series=series_csv, as_json=st.booleans())
def test_fuzz_goals_and_series(
    capsys: pytest.CaptureFixture[str], doc: dict[str, Any], series: str, as_json: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _file(folder, "series.csv", series)
        goals = _file(folder, "goals.toml", tomli_w.dumps(doc))
        _clean(*run(["monitor", goals, *(["--json"] if as_json else [])], capsys))


# --- tables: issue files for the forecasters --------------------------------------------------

positions = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 200))


def _issue(n: int, actors: dict[str, tuple[float, float]]) -> dict[str, Any]:
    return {
        "id": f"i{n}",
        "outcome": 40.0 + n,
        "positions": {a: p for a, (p, _) in actors.items()},
        "capabilities": {a: c for a, (_, c) in actors.items()},
    }


@FUZZ
@given(
    actors=st.dictionaries(
        st.sampled_from(["A", "B", "C", "D"]), st.tuples(positions, positions), min_size=1
    )
)
def test_fuzz_issue_tables(
    capsys: pytest.CaptureFixture[str], actors: dict[str, tuple[float, float]]
) -> None:
    valid = {"A": (10.0, 1.0), "B": (90.0, 2.0), "C": (50.0, 1.0)}
    issues = [_issue(n, valid) for n in range(11)] + [_issue(11, actors)]
    with tempfile.TemporaryDirectory() as folder:
        path = _file(folder, "issues.toml", tomli_w.dumps({"issue": issues}))
        _clean(*run(["forecast", "evaluate", path, "--folds", "2", "--boot", "100"], capsys))


# --- numbers on the command line --------------------------------------------------------------

cli_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e308", "-1e308", "1e-300", "0", "-0.5", "nan", "inf", "x"]),
)


@FUZZ
@given(
    imports=cli_number,
    tariff=cli_number,
    new=cli_number,
    elasticity=cli_number,
    as_json=st.booleans(),
)
def test_fuzz_pe_numbers(
    capsys: pytest.CaptureFixture[str],
    imports: str,
    tariff: str,
    new: str,
    elasticity: str,
    as_json: bool,
) -> None:
    args = ["pe", "--imports-musd", imports, "--tariff", tariff, "--new-tariff", new]
    args += ["--import-elasticity", elasticity, *(["--json"] if as_json else [])]
    code, out, err = run(args, capsys)
    if "Invalid value" in err:  # typer's own parse error for 'x': one line too
        assert code == 2 and err.startswith("error: ")
        return
    _clean(code, out, err)
