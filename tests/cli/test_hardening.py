"""Regression tests of issue 13: no traceback, no leak, no silent nonsense on any input.

Each test is one class of the audit: it failed before the fix (a traceback, a file's contents
in a message, a hang, a plain number that was nonsense) and passes after.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from _cli import run

SECRET = "top-secret-line-do-not-print"

GOALS = """\
[[goals]]
id = "rise"
agreement = 1994
[goals.indicator]
kind = "file"
{indicator}
[[goals.criteria]]
kind = "substantial"
min_change = {change}
{criterion}
"""


def _goals(folder: Path, indicator: str = "", criterion: str = "", change: str = "0.2") -> Path:
    path = folder / "goals.toml"
    path.write_text(GOALS.format(indicator=indicator, criterion=criterion, change=change))
    return path


def _secret_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret.csv"
    path.write_text(f"{SECRET},x\n1,2\n")
    return path


def _scenario(folder: Path, old: str = "", new: str = "", extra: str = "") -> Path:
    """The built-in 1995 autos scenario with ``old`` replaced by ``new`` (once), plus ``extra``."""
    from tradetalks.scenario import scenario_text

    text, _ = scenario_text("us-japan-1995-autos")
    assert old in text
    path = folder / "s.toml"
    path.write_text((text.replace(old, new, 1) if old else text) + extra)
    return path


def _one_error(code: int, out: str, err: str) -> list[str]:
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "╭" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("error: ") for line in lines), err
    return lines


# --- 1. paths in goals files resolve only inside the file's folder; no contents echoed ------


@pytest.mark.parametrize(
    ("indicator", "criterion"),
    [
        ('path = "../outside/secret.csv"', ""),
        ("path = '{secret}'", ""),
        ('path = "series.csv"', 'counterfactual_file = "../outside/secret.csv"'),
    ],
)
def test_goals_paths_stay_in_their_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], indicator: str, criterion: str
) -> None:
    secret = _secret_file(tmp_path / "outside")
    folder = tmp_path / "goals"
    folder.mkdir()
    (folder / "series.csv").write_text("year,value\n1993,1\n1994,1\n1995,2\n")
    goals = _goals(folder, indicator.format(secret=secret), criterion)
    lines = _one_error(*run(["monitor", str(goals)], capsys))
    assert any("outside the file's folder" in line for line in lines), lines
    assert SECRET not in "".join(lines)


def test_goals_scenario_file_stays_in_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "outside" / "secret.toml"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET} = 1\n")
    folder = tmp_path / "goals"
    folder.mkdir()
    (folder / "series.csv").write_text("year,value\n1993,1\n1994,1\n1995,2\n")
    goals = _goals(folder, 'path = "series.csv"')
    goals.write_text('scenario = "../outside/secret.toml"\n' + goals.read_text())
    lines = _one_error(
        *run(["monitor", str(goals), "--follow-up", str(tmp_path / "f.toml")], capsys)
    )
    assert any("scenario" in line and "outside" in line for line in lines), lines


def test_allow_dir_lets_the_user_open_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "series.csv").write_text("year,value\n1993,1\n1994,1\n1995,2\n1996,3\n")
    folder = tmp_path / "goals"
    folder.mkdir()
    goals = _goals(folder, 'path = "../data/series.csv"')
    code, out, err = run(["monitor", str(goals), "--allow-dir", str(data), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["verdict"] == "met"


def test_missing_column_does_not_echo_the_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _secret_file(tmp_path)
    goals = _goals(tmp_path, 'path = "secret.csv"')
    lines = _one_error(*run(["monitor", str(goals)], capsys))
    assert SECRET not in "".join(lines)


# --- 2. one input boundary per kind of input ------------------------------------------------


def test_deeply_nested_toml_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    shallow_but_deep = tmp_path / "deep2.toml"
    shallow_but_deep.write_text("a = " + "[" * 40 + "]" * 40 + "\n")
    for args in (
        ["validate", str(deep)],
        ["validate", str(shallow_but_deep)],
        ["monitor", str(deep)],
        ["forecast", "evaluate", str(deep)],
    ):
        lines = _one_error(*run(args, capsys))
        assert any("nested" in line for line in lines), (args, lines)


def test_random_bytes_fifo_and_folder_are_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noise = tmp_path / "noise.toml"
    noise.write_bytes(bytes(range(128, 256)) * 3)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # reading it would block forever: it must be refused, not opened
    for args, expect in (
        (["validate", str(noise)], "not UTF-8"),
        (["monitor", str(noise)], "not UTF-8"),
        (["validate", str(fifo)], "not a regular file"),
        (["monitor", str(fifo)], "not a regular file"),
        (["validate", str(tmp_path)], "folder"),
    ):
        lines = _one_error(*run(args, capsys))
        assert any(expect in line for line in lines), (args, lines)


def test_unreadable_option_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "runs.duckdb"
    store.write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(  # tests may run as root, who can read anything
        os, "access", lambda p, mode, **kw: False if str(p) == str(store) else real_access(p, mode)
    )
    lines = _one_error(*run(["runs", "--store", str(store)], capsys))
    assert "--store" in lines[0]
    lines = _one_error(*run(["runs", "--store", str(tmp_path)], capsys))
    assert "directory" in lines[0]


def test_unreadable_scenario_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.toml"
    path.write_text("x = 1\n")
    real_open = open

    def denied(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", denied)
    lines = _one_error(*run(["validate", str(path)], capsys))
    assert "permission denied" in lines[0]


def test_markup_in_a_title_is_printed_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Talks [/] [bold]x[/bold] $\\frac{1}{$"
    escaped = title.replace("\\", "\\\\")  # a TOML basic string
    path = _scenario(tmp_path, 'title = "', f'title = "{escaped} ')
    code, out, err = run(["show", str(path)], capsys)
    assert code == 0, err
    assert "[/]" in out and "[bold]x[/bold]" in out  # escaped: shown, not interpreted


def test_mathtext_in_a_label_is_drawn_as_written(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from tradetalks._inputs import save_figure

    fig = Figure()
    ax = fig.subplots()
    ax.set_title(r"dealers $\frac{1}{$")
    ax.set_yticks([0, 1], [r"$\frac{1}{$", "ok"])
    ax.plot([0, 1], [0, 1], label=r"a $ sign")
    ax.legend()
    save_figure(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 0


def test_destinations_that_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "series.csv").write_text("year,value\n1993,1\n1994,1\n1995,2\n")
    goals = _goals(tmp_path, 'path = "series.csv"')
    a_file = tmp_path / "taken.png"
    a_file.write_text("x")
    lines = _one_error(*run(["monitor", str(goals), "--plots", str(a_file)], capsys))
    assert "--plots" in lines[0]
    lines = _one_error(
        *run(["monitor", "autos-1995", "--follow-up", str(tmp_path / "no" / "f.toml")], capsys)
    )
    assert "does not exist" in lines[0]
    lines = _one_error(*run(["init", "x", "-o", str(tmp_path / "missing" / "x.toml")], capsys))
    assert "does not exist" in lines[0]


def test_negative_seed_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _one_error(*run(["forecast", "evaluate", "--seed", "-1"], capsys))
    assert "--seed" in lines[0]


# --- 3. results checked before printing -------------------------------------------------------


def test_pe_never_prints_non_finite_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["pe", "--imports-musd", "37800", "--new-tariff", "0", "--partner", "JPN"]
    for extra in (["--tariff", "1e308", "--json"], ["--tariff", "1e308"], ["--tariff", "inf"]):
        code, out, err = run(base + extra, capsys)
        assert code in (1, 2) and out == "", (extra, out)
        assert "Traceback" not in err and "warning" not in err and "error:" in err
    code, out, err = run([*base, "--tariff", "0.1", "--json"], capsys)
    assert code == 0 and json.loads(out)["tariff_revenue_musd"] == pytest.approx(3780.0)


def test_json_output_is_standard_json() -> None:
    from tradetalks._errors import ResultError
    from tradetalks._inputs import json_text

    assert json.loads(json_text({"a": [1.5, None]})) == {"a": [1.5, None]}
    for bad in ({"a": float("nan")}, {"a": {"b": [1.0, float("-inf")]}}):
        with pytest.raises(ResultError, match="not a finite number"):
            json_text(bad)


@pytest.mark.slow
def test_price_flags_a_decomposition_that_does_not_add_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["price", "--shock", "USA<-JPN c15 tariff +10", "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert "does not add up" in result["warning"]
    assert all("volume_of_trade" not in row for row in result["countries"])
    code, out, err = run(["price", "--shock", "USA<-JPN c15 tariff +0.25", "--json"], capsys)
    result = json.loads(out)
    assert result["warning"] is None
    assert all("volume_of_trade" in row for row in result["countries"])


def test_causes_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    shock = ["--shock", "USA<-JPN c15 tariff +0.1"]
    lines = _one_error(*run(["price", *shock, "--theta", "c15=1e-300"], capsys))
    assert "--theta" in lines[0] and "elasticity" in lines[0]
    lines = _one_error(
        *run(["price", *shock, "--baseline-tariff", "USA<-JPN c15 tariff x"], capsys)
    )
    assert "--baseline-tariff" in lines[0] and "--shock" not in lines[0]
    lines = _one_error(
        *run(["price", *shock, "--baseline-tariff", "USA<-JPN c15 tariff 1e308"], capsys)
    )
    assert "--baseline-tariff" in lines[0] and "wiot" not in lines[0]


def test_runtime_warnings_never_precede_the_error() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from tradetalks.cli import main; main()", "pe",
         "--imports-musd", "37800", "--tariff", "1e308", "--new-tariff", "0"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert done.stderr.lstrip().startswith("error:"), done.stderr
    assert "RuntimeWarning" not in done.stderr


# --- 4. the gravity command line --------------------------------------------------------------


def test_gravity_example_refuses_options_it_would_ignore(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["gravity", "counterfactual", "can-jpn", "--set", "CNTG=1", "--data", "x.csv"]
    lines = _one_error(*run([*args, "--covariates", "ln_DIST", "--pairs", "CAN-JPN"], capsys))
    assert {"--set", "--data", "--covariates", "--pairs"} <= {
        flag for line in lines for flag in line.replace(":", " ").split() if flag.startswith("--")
    }


@pytest.mark.parametrize(
    ("rows", "extra", "expect"),
    [
        ("A,A,2006,10,abc\nB,B,2006,5,def\nA,B,2006,3,x\nB,A,2006,4,y\n", [], "text"),
        ("A,A,2006,10,1.0\n", [], "observations"),
        ("A,A,2006,10,1.0\nB,B,2006,10,2.0\nA,B,2006,3,1.5\n", [], "observations"),
        ("A,A,2006,10,1.0\nB,B,2006,10,2.0\n", ["--trade-col", "ln_DIST"], "--trade-col"),
    ],
)
def test_gravity_bad_panels_are_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, extra: list[str], expect: str
) -> None:
    data = tmp_path / "panel.csv"
    data.write_text("exporter,importer,year,trade,ln_DIST\n" + rows)
    args = ["gravity", "estimate", str(data), "--covariates", "ln_DIST", "--years", "2006"]
    lines = _one_error(*run([*args, "--fe", "exporter,importer", *extra], capsys))
    assert any(expect in line for line in lines), lines


# --- scenario numbers that validate accepted and a later step rejected ------------------------


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ("covered_value_musd = { value = 5900", "covered_value_musd = { value = -5900", ">= 0"),
        ("low = 0.4\nhigh = 0.85", "low = 0.5\nhigh = 0.5", "zero width"),
        ("low = 0.4\nhigh = 0.85", "low = true\nhigh = 0.85", "valid number"),
        ("low = 0.4\nhigh = 0.85", 'low = "0.4"\nhigh = 0.85', "valid number"),
        ("year = 1995\n", 'year = "1995"\n', "valid integer"),
        (
            'threshold = { value = 0.5, source = "assumption", note = "weighted support needed" }',
            "threshold = true",
            "expected a number",
        ),
    ],
)
def test_validate_refuses_what_a_later_step_would(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expect: str
) -> None:
    path = _scenario(tmp_path, old, new)
    lines = _one_error(*run(["validate", str(path)], capsys))
    assert len(lines) == 1 and expect in lines[0], lines
    assert f"{path}:" in lines[0]  # located: file and line


def test_zero_elasticity_range_is_blamed_on_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = '\n[[uncertainty]]\ntarget = "economics.elasticities.c15"\nlow = 0.0\nhigh = 2.0\n'
    path = _scenario(tmp_path, extra=extra)
    lines = _one_error(*run(["validate", str(path)], capsys))
    assert "elasticity" in lines[0] and "wiot" not in lines[0], lines


def test_monitor_target_must_be_finite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "series.csv").write_text("year,value\n1993,1\n1994,1\n1995,2\n")
    goals = _goals(tmp_path, 'path = "series.csv"', change="inf")
    lines = _one_error(*run(["monitor", str(goals), "--json"], capsys))
    assert "finite" in lines[0], lines


def test_year_span_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "series.csv").write_text("year,value\n1990,1\n999999999,2\n")
    goals = _goals(tmp_path, 'path = "series.csv"')
    lines = _one_error(*run(["monitor", str(goals)], capsys))
    assert "the limit is" in lines[0], lines


def test_disk_full_says_so() -> None:
    import duckdb

    from tradetalks import StoreError
    from tradetalks.store._connect import guard

    with pytest.raises(StoreError) as info, guard(Path("runs.duckdb")):
        raise duckdb.IOException(
            'IO Error: Could not write "runs.duckdb.wal": No space left on device'
        )
    message = str(info.value)
    assert "disk is full" in message and "not committed" in message
    assert "cannot open" not in message


@pytest.mark.slow
def test_resume_of_a_finished_sweep_starts_no_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(tmp_path / "runs.duckdb")]
    args = ["sweep", "us-japan-1995-autos", "-n", "20", "--batch-size", "10", *store]
    code, _, err = run(args, capsys)
    assert code == 0, err
    lines = _one_error(*run([*args, "--resume"], capsys))
    assert "already finished" in lines[0]
    code, out, _ = run(["runs", "--json", *store], capsys)
    assert len(json.loads(out)) == 1


IO_HEADER = "from_country,from_industry,to_country,use,value,year\n"


@pytest.mark.parametrize(
    ("table", "output", "expect"),
    [
        ("USA,c1,USA,c1,10,2011\n", None, "singular"),
        ("USA,c1,USA,c1,10,abc\nUSA,c1,USA,c1,10,2011\n", None, "whole numbers"),
        ("USA,c1,USA,c1,ten,2011\n", None, "expected numbers"),
        ("USA,c1,USA,c1,10,2011\n", "country,industry,gross_output\nUSA,c1,abc\n", "numbers"),
    ],
)
def test_bad_io_tables_are_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, output: str | None, expect: str
) -> None:
    data = tmp_path / "io.csv"
    data.write_text(IO_HEADER + table)
    args = ["price", "--data", str(data), "--shock", "USA<-USA c1 tariff +0.1"]
    if output is not None:
        (tmp_path / "go.csv").write_text(output)
        args += ["--output", str(tmp_path / "go.csv")]
    lines = _one_error(*run(args, capsys))
    assert any(expect in line for line in lines), lines


def test_outcome_count_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    import tomli_w

    doc = tomllib.loads(_scenario(tmp_path).read_text())
    issue = doc["issues"][0]
    issue["options"] = [dict(issue["options"][0], id=f"o{k}", value=k / 1000) for k in range(200)]
    doc["issues"] += [dict(issue, id=f"copy{j}") for j in range(2)]
    path = tmp_path / "big.toml"
    path.write_text(tomli_w.dumps(doc))
    lines = _one_error(*run(["validate", str(path)], capsys))
    assert any("joint outcomes; the limit is" in line for line in lines), lines


def test_a_symlink_cannot_lead_out_of_the_folder(tmp_path: Path) -> None:
    from tradetalks import InputError
    from tradetalks._inputs import resolve_inside

    secret = _secret_file(tmp_path / "outside")
    folder = tmp_path / "goals"
    folder.mkdir()
    (folder / "link.csv").symlink_to(secret)
    (folder / "data.csv").write_text("x")
    kwargs = {"source": "g.toml", "field": "path"}
    assert resolve_inside("data.csv", folder, **kwargs) == (folder / "data.csv").resolve()
    for name in ("link.csv", "../outside/secret.csv", str(secret), "~/.ssh/id_rsa"):
        with pytest.raises(InputError, match="outside the allowed folders"):
            resolve_inside(name, folder, **kwargs)
    assert resolve_inside("link.csv", folder, allowed=[secret.parent], **kwargs) == secret


def test_unwritable_follow_up_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(self: Path, *args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", denied)  # tests may run as root
    target = tmp_path / "next.toml"
    lines = _one_error(*run(["monitor", "autos-1995", "--follow-up", str(target)], capsys))
    assert "permission denied" in lines[0]
