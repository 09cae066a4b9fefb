"""The root command: version, and how our errors reach the user."""

import subprocess
import sys

import pytest

from tradetalks import ScenarioError, __version__
from tradetalks._errors import ConvergenceError, Problem
from tradetalks.cli import _app, main


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tradetalks", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("tradetalks ")


@pytest.fixture
def failing_command(monkeypatch: pytest.MonkeyPatch) -> None:
    @_app.app.command("fail-for-test")
    def _fail(kind: str) -> None:
        if kind == "scenario":
            raise ScenarioError(
                "bad scenario",
                [
                    Problem("x.toml", "parties.USA.discount", "expected a number in (0, 1]", 7),
                    Problem("x.toml", "issues", "duplicate id 'cars'"),
                ],
            )
        raise ConvergenceError("solver did not converge", {"iterations": 500})

    yield
    _app.app.registered_commands.pop()


@pytest.mark.usefixtures("failing_command")
def test_input_errors_print_one_line_each_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["fail-for-test", "scenario"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "x.toml:7: parties.USA.discount: expected a number in (0, 1]" in err
    assert "x.toml: issues: duplicate id 'cars'" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("failing_command")
def test_solver_errors_exit_1_with_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["fail-for-test", "solver"])
    assert exit_info.value.code == 1
    assert "iterations=500" in capsys.readouterr().err


@pytest.mark.usefixtures("failing_command")
def test_debug_shows_the_exception() -> None:
    with pytest.raises(ScenarioError):
        main(["--debug", "fail-for-test", "scenario"])
