"""The page in a real browser (Playwright driving Debian's chromium), as an analyst uses it.

Open the page, load a built-in scenario, break a field and see the error at its line, fix
it, see the bargaining space render with hover data, run it twice, compare the two runs,
export CSV. Screenshots go to ``$TRADETALKS_ARTEFACTS`` (default ``test-artefacts/``).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(os.environ.get("TRADETALKS_ARTEFACTS", "test-artefacts"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="no chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(warm_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from tradetalks.web import create_app

    workspace = tmp_path_factory.mktemp("workspace")
    port = _free_port()
    config = uvicorn.Config(create_app(workspace=workspace, store=warm_store),
                            host="127.0.0.1", port=port, log_level="warning")  # fmt: skip
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _shot(page: object, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def _run(page: object, sessions: int) -> str:
    page.fill("#sessions", str(sessions))  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => /^(starting|queued|running)/.test(document.getElementById('job-status').textContent)"
    )
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => /finished|failed/.test(document.getElementById('job-status').textContent)",
        timeout=240_000,
    )
    text = page.text_content("#job-status")  # type: ignore[attr-defined]
    assert text.startswith("finished"), text
    return str(text.split("·")[-1].strip())


def test_an_analyst_edits_runs_compares_and_exports(
    server: str, browser: object, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900},  # type: ignore[attr-defined]
                                  accept_downloads=True)  # fmt: skip
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else external.append(r.url))
    page.goto(server)
    page.wait_for_selector(f"#scenario-list li[data-name='{SCENARIO}']")
    page.click(f"#scenario-list li[data-name='{SCENARIO}']")
    page.wait_for_function("() => document.getElementById('editor').value.length > 100")
    page.wait_for_selector("#plot-space .scatterlayer .point", timeout=120_000)
    _shot(page, "1-analysis")

    # Break the title (a number where text is expected): the error is marked at its line.
    text = page.input_value("#editor")
    lines = text.split("\n")
    line = next(i for i, ln in enumerate(lines) if ln.startswith("title =")) + 1
    lines[line - 1] = "title = 3"
    page.fill("#editor", "\n".join(lines))
    page.wait_for_selector(f"#gutter div.bad[data-line='{line}']")
    problem = page.text_content("#problems li")
    assert problem.startswith(f"line {line}: title:"), problem
    assert page.is_disabled("#run")
    _shot(page, "2-error-at-its-line")

    # Fix it: the error goes, the page analyses again, the plot has hover data.
    lines[line - 1] = "title = 'Autos 1995, edited <b>in</b> the workbench'"
    page.fill("#editor", "\n".join(lines))
    page.wait_for_function("() => document.querySelectorAll('#gutter div.bad').length === 0")
    page.wait_for_function(
        "() => document.getElementById('results-title').textContent.includes('edited')"
    )
    assert page.text_content("#results-title").endswith("edited <b>in</b> the workbench")
    hover = page.evaluate(
        """() => {
            const plot = document.getElementById('plot-space');
            const trace = plot.data.findIndex(t => t.name === 'both (ZOPA)');
            Plotly.Fx.hover(plot, [{curveNumber: trace, pointNumber: 0}]);
            return document.querySelector('#plot-space .hoverlayer').textContent;
        }"""
    )
    assert "ratified by:" in hover and "USA" in hover and "JPN" in hover, hover
    _shot(page, "3-fixed-with-hover")

    # Run it twice (two seeds of sessions), then compare the two runs.
    first = _run(page, 120)
    page.wait_for_function(
        "() => document.querySelector('#settle caption').textContent.includes('120 sessions')"
    )
    second = _run(page, 240)
    page.click("nav button[data-tab='runs']")
    page.wait_for_selector(f"#runs-table input[value='{second}']")
    page.wait_for_load_state("networkidle")  # the list is reloaded after the run, too
    page.check(f"#runs-table input[value='{first}']")
    page.check(f"#runs-table input[value='{second}']")
    page.click("#compare")
    try:
        page.wait_for_selector("#comparison table tr.changed")
    finally:
        _shot(page, "4-two-runs-compared")
    compared = page.text_content("#comparison")
    assert "settings.sessions" in compared and "sweep.sessions" in compared
    _shot(page, "4-two-runs-compared")

    # Export the second run's sessions as CSV: the file is the saved table.
    with page.expect_download() as download:
        page.click(f"#runs-table tr:has(input[value='{second}']) a")
    saved = tmp_path / "sessions.csv"
    download.value.save_as(saved)
    exported = pd.read_csv(saved)
    assert len(exported) == 240 and "agreed" in exported.columns
    assert first != second
    assert not external, f"the page fetched from elsewhere: {external[:3]}"
    context.close()


def test_the_casebook_table(server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else external.append(r.url))
    page.goto(server)
    page.click("nav button[data-tab='casebook']")
    episodes = ["us-japan-1992-bush-tokyo", "us-japan-1995-autos"]  # the library's order
    for episode in episodes:
        page.check(f"#casebook-episodes input[value='{episode}']")
    page.fill("#casebook-sessions", "20")
    page.click("#casebook-score")
    page.wait_for_selector("#casebook-questions tbody tr", timeout=120_000)
    assert page.text_content("#casebook-status").startswith("scored in")
    rows = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#casebook-episodes-table tbody tr", "rows => rows.map(r => r.cells[0].textContent)"
    )
    assert rows == episodes
    book = page.text_content("#casebook-book")
    for words in ("tradetalks", "naive rule", "base rate", "tradetalks − naive", "20 sessions"):
        assert words in book, words
    n_questions = page.eval_on_selector_all("#casebook-questions tbody tr", "rows => rows.length")
    assert n_questions == page.evaluate(
        "() => fetch('/api/casebook/episodes').then(r => r.json()).then(es => es"
        ".filter(e => e.id.endsWith('1995-autos') || e.id.endsWith('bush-tokyo'))"
        ".reduce((n, e) => n + e.questions, 0))"
    )
    _shot(page, "5-casebook")
    assert not external, f"the page fetched from elsewhere: {external[:3]}"
    context.close()


def test_twelve_parties_on_the_page(server: str, browser: object) -> None:
    """The TPP's 12 parties: the plane says which two it draws, every deal the two can ratify
    is drawn (a third party's veto gets its own group), and each party has a win-set row."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server)
    page.click("#scenario-list li[data-name='us-japan-2014-tpp']")
    page.wait_for_selector("#plot-space .scatterlayer .point", timeout=120_000)
    assert "in all 12 parties' win-sets" in page.text_content("#headline")
    assert "USA and JPN, 2 of 12 parties" in page.text_content("#plot-space .gtitle")
    legend = page.text_content("#plot-space .legend")
    assert "USA's and JPN's, not every party's" in legend and "every party's (ZOPA)" in legend
    drawn = page.evaluate(
        "() => document.getElementById('plot-space').data"
        ".filter(t => t.name !== 'Nash deal').reduce((n, t) => n + t.x.length, 0)"
    )
    assert drawn == 324  # every outcome in exactly one group
    rows = page.eval_on_selector_all(
        "#winsets tbody tr", "rows => rows.map(r => r.cells[1].textContent)"
    )
    assert len(rows) == 12 and not any(v.startswith("-0.000") for v in rows)
    _shot(page, "6-twelve-parties")
    assert not errors, errors
    context.close()
