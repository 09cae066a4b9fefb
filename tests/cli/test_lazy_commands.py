"""The command line loads a layer only when one of its commands runs (the start-up check)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from _cli import run

from tradetalks.cli import _app
from tradetalks.cli._app import LAZY_COMMANDS, LazyGroup, load_commands
from tradetalks.scenario import builtin_scenarios

HEAVY = (
    "numpy",
    "pandas",
    "matplotlib",
    "duckdb",
    "tradetalks.game",
    "tradetalks.economics",
    "tradetalks.bargaining",
)


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").split("\n\n")[0].split())


def test_the_table_lists_every_command_of_every_module_with_its_help() -> None:
    modules = sorted({module for module, _ in LAZY_COMMANDS.values()})
    seen: dict[str, str] = {}
    for module in modules:
        group = LazyGroup()
        load_commands(group, module)
        for name, command in group.commands.items():
            assert name in LAZY_COMMANDS, f"{module} registers {name!r}: add it to LAZY_COMMANDS"
            assert LAZY_COMMANDS[name][0] == module, name
            assert " ".join(LAZY_COMMANDS[name][1].split()) == _first_paragraph(command.help)
            seen[name] = module
    assert set(seen) == set(LAZY_COMMANDS)


def test_root_help_lists_every_command_without_loading_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "Usage: tradetalks [OPTIONS] COMMAND [ARGS]..." in out
    for name in (*LAZY_COMMANDS, "--version", "--debug"):
        assert name in out


def test_a_typo_is_told_the_close_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["runn"], capsys)
    assert code == 2
    assert "No such command 'runn'" in err and "'run'" in err


def _modules_after(args: list[str]) -> set[str]:
    script = (
        "import sys\nfrom tradetalks.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    return set(done.stdout.split("\n")[-2].split())


def test_help_and_validate_do_not_load_the_models() -> None:
    assert _modules_after(["--help"]) == set()
    path = (
        Path(_app.__file__).parents[1] / "scenario" / "library" / f"{builtin_scenarios()[0]}.toml"
    )
    # `validate` checks the strategies a scenario names with the bargaining layer's own
    # vocabulary (issue 12), kept numpy-free in tradetalks._strategy_specs (issue 16)
    assert _modules_after(["validate", str(path)]) == set()


def test_a_lazy_command_runs_and_shows_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gravity", "--help"], capsys)
    assert code == 0 and "estimate" in out
    assert isinstance(typer.main.get_command(_app.app), LazyGroup)
