"""Every code block of the README runs as written (issue 13).

Blocks are tagged: ``python`` blocks are executed, ``sh`` blocks are run command by command
(``tradetalks ...`` in-process, in a scratch folder with its own run store), ``text`` blocks
are output and are not run. Placeholders a reader replaces (``RUN_ID``, ``my_goals.toml``...)
are filled with real ones. Two kinds of line are not run by this test, and the test checks
them instead: the set-up line (creating a venv and installing), which CI runs as its first
step (``.ci/run``), and the benchmark scripts, which time peer packages for minutes (they
must exist and compile).
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from tradetalks.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
RUN = {"python", "sh", "sql"}
NOT_RUN = {"text"}
# Commands that take more than a few seconds (pricing on WIOD, estimation, sweeps).
SLOW = re.compile(r"\b(run|sweep|price|gravity|forecast|monitor|analyze|negotiate|report)\b")


def _blocks() -> list[tuple[int, str, str]]:
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)) for m in FENCE.finditer(text)
    ]


def _commands(body: str) -> Iterator[list[str]]:
    for line in body.replace("\\\n", " ").splitlines():  # a trailing backslash continues
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            yield words[:cut]
            words = words[cut + 1 :]


def _case(line: int, lang: str, body: str) -> object:
    slow = lang == "python" or any(
        SLOW.search(" ".join(c)) for c in _commands(body) if lang == "sh"
    )
    return pytest.param(body, id=f"README:{line}", marks=[pytest.mark.slow] if slow else [])


def test_every_block_is_tagged() -> None:
    untagged = [line for line, lang, _ in _blocks() if lang not in RUN | NOT_RUN]
    assert not untagged, f"README blocks at lines {untagged}: tag them python, sh, sql or text"


@pytest.mark.parametrize(
    "body", [_case(line, lang, body) for line, lang, body in _blocks() if lang == "python"]
)
def test_python_blocks_run(body: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(body, str(README), "exec"), {"__name__": "readme"})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch folder and run store for all shell blocks, with the reader's own files."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "my-scenarios").mkdir()
    (folder / "my_series.csv").write_text(
        "year,value\n" + "".join(f"{y},{100 + 10 * (y - 1990)}\n" for y in range(1990, 2000))
    )
    (folder / "my_goals.toml").write_text(
        '[[goals]]\nid = "imports"\nagreement = 1994\n[goals.indicator]\nkind = "file"\n'
        '[[goals.criteria]]\nkind = "substantial"\nmin_change = 0.2\n'
    )
    deu = (ROOT / "src" / "tradetalks" / "data" / "deu" / "deu_dev.csv").read_text().splitlines()
    header, rows = deu[0], deu[1:]
    cut = len(rows) * 2 // 3
    (folder / "TRAIN.csv").write_text("\n".join([header, *rows[:cut]]) + "\n")
    (folder / "TEST.csv").write_text("\n".join([header, *rows[cut:]]) + "\n")
    return folder


@pytest.fixture
def in_workspace(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scratch folder as working directory, with its run store as the default one."""
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("TRADETALKS_STORE", str(workspace / "runs.duckdb"))
    return workspace


def _serve_answers(args: list[str]) -> None:
    """``tradetalks serve ...`` runs until stopped: start it on a free port, load the page."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "tradetalks", *args, "--port", str(port)]  # the last --port wins
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"{shlex.join(args)}: {proc.communicate()[1]}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    assert page.status == 200
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"{shlex.join(args)}: no page within 60 s")
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def _tradetalks(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _latest_run(capsys: pytest.CaptureFixture[str], back: int = 1) -> str:
    code, out, err = _tradetalks(["runs", "--json"], capsys)
    assert code == 0, err
    runs = json.loads(out)
    if len(runs) < back:  # a block run on its own (-k): make a run to show
        assert _tradetalks(["analyze", "us-japan-2018-bilateral"], capsys)[0] == 0
        return _latest_run(capsys, back)
    return str(runs[-back]["run_id"])


def _fill(words: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    filled = []
    for word in words:
        if word in ("RUN_ID", "r20261123-134451"):
            word = _latest_run(capsys)
        elif word == "OTHER_RUN_ID":
            word = _latest_run(capsys, back=2)
        elif word.startswith("tests/"):  # the README is read from a clone's top folder
            word = str(ROOT / word)
        elif word.startswith("[") and word.endswith("]"):
            word = word[1:-1]  # an optional flag, shown as [--json]
        filled.append(word)
    return filled


@pytest.mark.parametrize(
    "body", [_case(line, lang, body) for line, lang, body in _blocks() if lang == "sh"]
)
def test_shell_blocks_run(
    body: str, in_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    for words in _commands(body):
        program = os.path.basename(words[0])
        if program == "tradetalks" and words[1] == "serve":
            _serve_answers(_fill(words[1:], capsys))
        elif program == "tradetalks":
            code, _, err = _tradetalks(_fill(words[1:], capsys), capsys)
            assert code == 0, f"{shlex.join(words)}: {err}"
            assert "Traceback" not in err
        elif words[:3] == ["python3", "-m", "venv"] or "pip" in program:
            assert shlex.join(words[:3]) in ci  # CI's first step creates and installs
        elif words[1:4] == ["-m", "pytest"] and program == "python":
            assert ".venv/bin/python -m pytest" in ci
        elif program == "python" and words[1].startswith("benchmarks/"):
            script = ROOT / words[1]
            compile(script.read_text(), str(script), "exec")
        else:
            pytest.fail(f"README command not understood by this test: {shlex.join(words)}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "body", [_case(line, lang, body) for line, lang, body in _blocks() if lang == "sql"]
)
def test_sql_blocks_run(body: str, in_workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    _latest_run(capsys)  # a store with a saved run to query
    with duckdb.connect(str(in_workspace / "runs.duckdb"), read_only=True) as con:
        for statement in filter(str.strip, body.split(";")):
            con.execute(statement).fetchall()
