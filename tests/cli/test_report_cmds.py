"""`tradetalks report RUN_ID`: default file name, formats, and the errors a user can meet."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from _cli import run

from tradetalks.store import ENV_VAR, RunStore

sys.path.insert(0, str(Path(__file__).parents[1] / "report"))
from _report_helpers import save_run


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A store with an 'analyze' run (3 plots: quick) and a 'sweep' run."""
    path = tmp_path_factory.mktemp("cli-report") / "runs.duckdb"
    store = RunStore(path)
    return path, save_run(store, "analyze"), save_run(store, "sweep", n_sessions=60)


def test_default_file_in_the_current_directory(
    saved: tuple[Path, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, analyze_id, sweep_id = saved
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(store))
    # a unique prefix works: the shortest one the other run does not share (both runs may
    # be saved in the same second, so their ids can share more than the timestamp)
    shared = next(k for k, (a, b) in enumerate(zip(analyze_id, sweep_id, strict=True)) if a != b)
    code, out, err = run(["report", analyze_id[: shared + 1]], capsys)
    assert code == 0, err
    page = tmp_path / f"report-{analyze_id}.html"
    assert page.is_file()
    assert "report written to" in out and page.name in out
    # what the run lacks is said on the terminal too
    assert "note:" in out and "'trace'" in out
    assert page.read_text(encoding="utf-8").count("<svg ") == 3


def test_markdown_default_name(
    saved: tuple[Path, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, analyze_id, _ = saved
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["report", analyze_id, "--format", "md", "--store", str(store)], capsys)
    assert code == 0, err
    assert (tmp_path / f"report-{analyze_id}.md").is_file()
    assert len(list(tmp_path.glob(f"report-{analyze_id}-*.svg"))) == 3


def test_markdown_with_store_option(
    saved: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, _, sweep_id = saved
    target = tmp_path / "sweep.md"
    code, out, err = run(["report", sweep_id, "-o", str(target), "--store", str(store)], capsys)
    assert code == 0, err
    svgs = sorted(p.name for p in tmp_path.glob("sweep-*.svg"))
    assert "sweep-sweep-options.svg" in svgs and "sweep-sweep-rates.svg" in svgs
    assert "with 5 plot(s) beside it" in out
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# US–Japan autos")


def test_explicit_format_wins_over_the_suffix(
    saved: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, analyze_id, _ = saved
    target = tmp_path / "r.md"
    code, _, err = run(
        ["report", analyze_id, "-o", str(target), "--format", "html", "--store", str(store)],
        capsys,
    )
    assert code == 0, err
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob("*.svg"))


def test_unknown_run_is_one_store_error(
    saved: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, _, _ = saved
    code, out, err = run(
        ["report", "r19990101-000000-dead", "-o", str(tmp_path / "x.html"), "--store", str(store)],
        capsys,
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no run 'r19990101-000000-dead'")
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "x.html").exists()


def test_missing_store_is_one_store_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["report", "r1", "--store", str(tmp_path / "none.duckdb")], capsys)
    assert code == 1
    assert "no run store here yet" in err and "Traceback" not in err


def test_output_in_a_missing_directory_is_an_input_error(
    saved: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, analyze_id, _ = saved
    target = tmp_path / "missing" / "r.html"
    code, _, err = run(["report", analyze_id, "-o", str(target), "--store", str(store)], capsys)
    assert code == 2
    assert "does not exist" in err and "missing" in err and "Traceback" not in err


def test_bad_format_is_rejected(
    saved: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, analyze_id, _ = saved
    code, _, err = run(["report", analyze_id, "--format", "pdf", "--store", str(store)], capsys)
    assert code == 2
    assert "pdf" in err


@pytest.mark.slow
def test_real_run_of_the_1995_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`tradetalks run` on the bundled 1995 scenario, then its report in both formats."""
    import re
    import subprocess
    import xml.etree.ElementTree as ET

    import tradetalks.report as rp

    store = tmp_path / "runs.duckdb"
    page = tmp_path / "run.html"
    done = subprocess.run(
        [sys.executable, "-m", "tradetalks", "run", "us-japan-1995-autos", "-n", "100",
         "--store", str(store), "-o", str(page), "--workers", "2"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    images = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(images) == 6 and 'src="http' not in html
    for image in images:
        assert ET.fromstring(image).tag == "{http://www.w3.org/2000/svg}svg"
    assert 'class="absent"' not in html  # a full run has everything the report draws

    record = RunStore(store).get_run(RunStore(store).list_runs()["run_id"].iloc[-1])
    view = rp.run_view(record)
    assert view.notes == ()
    # the report recomputes the sweep's shares from the sessions table; the main job
    # computed them its own way (game.option_counts) for the summary: they must agree
    from tradetalks.report._derive import option_shares

    summary_options = record.summary["sweep"]["options"]
    for issue, shares in option_shares(view).items():
        assert shares == pytest.approx(summary_options[issue], abs=1e-12)
    report = rp.build_report(view)
    deals = next(t for t in report.section("summary").tables if t.title == "Deals by issue")
    agreement = record.summary["session"]["agreement"]
    # Whether the traced session agrees depends on the scenario's economics (since the
    # purchase plans cost Japan, issue #11, it ends without a deal); the column is there
    # exactly when it agrees, and then it shows the agreement.
    assert ("agreement (session)" in deals.columns) == bool(agreement)
    if agreement:
        column = deals.columns.index("agreement (session)")
        for issue in view.issues:
            row = next(r for r in deals.rows if r[0] == issue.label)
            assert row[column] == agreement[issue.id]

    code, out, err = run(
        ["report", record.info.run_id, "-o", str(tmp_path / "run.md"), "--store", str(store)],
        capsys,
    )
    assert code == 0, err
    assert len(list(tmp_path.glob("run-*.svg"))) == 6

    # an analyze run of the same scenario reuses the cached prices: quick, and partial
    done = subprocess.run(
        [sys.executable, "-m", "tradetalks", "analyze", "us-japan-1995-autos",
         "--store", str(store), "--workers", "2"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    analyze_id = RunStore(store).list_runs()["run_id"].iloc[-1]
    code, out, err = run(
        ["report", analyze_id, "-o", str(tmp_path / "analyze.html"), "--store", str(store)],
        capsys,
    )
    assert code == 0, err
    assert "note:" in out and "'trace'" in out
