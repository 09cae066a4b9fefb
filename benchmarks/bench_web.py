"""The workbench's speed as a user meets it, in a real browser (Debian's chromium).

First useful paint: from navigating to the page until the scenario library is listed
(the page and plotly.js loaded, the list fetched and drawn). Re-analysis after an edit:
from typing a change into the editor until the bargaining space is redrawn with the new
analysis (validation, analysis and plot), for two kinds of edit (see ``EDITS``). Both warm:
the server is up, the scenario was priced once (prices cached in the store), the page was
loaded once. Targets (issue 15): paint < 1 s, re-analysis < 2 s. Best and median of 5.

Run: ``.venv/bin/python benchmarks/bench_web.py``
"""

from __future__ import annotations

import re
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from tradetalks.game import prepare_game
from tradetalks.scenario import load_scenario, scenario_text
from tradetalks.store import RunStore
from tradetalks.web import create_app

SCENARIO = "us-japan-1995-autos"
REPEAT = 5
# Edits an analyst makes: a party's ratification threshold (priced inputs unchanged) and a
# threat's credibility (which the price cache's key includes today: the edit re-prices).
EDITS = [
    ("ratification threshold", r"^threshold = \{ value = ([0-9.]+)", ["0.45", "0.55", "0.6"]),
    ("threat credibility", r"^credibility = \{ value = ([0-9.]+)", ["0.43", "0.47", "0.52"]),
]
WATCH_PLOT = """() => { window.__drawn = 0;
  document.getElementById('plot-space').on('plotly_afterplot', () => { window.__drawn += 1; }); }"""
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]  # fmt: skip


def serve(store: Path, workspace: Path) -> tuple[str, uvicorn.Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(workspace=workspace, store=store), host="127.0.0.1",
                            port=port, log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, workspace = Path(tmp) / "runs.duckdb", Path(tmp)
        prepare_game(load_scenario(SCENARIO), workers=1, cache=RunStore(store, hold_s=0))
        url, server = serve(store, workspace)
        text = scenario_text(SCENARIO)[0]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            page.goto(url)  # warm: the browser has the page and plotly.js once
            page.wait_for_selector(f"#scenario-list li[data-name='{SCENARIO}']")
            paints = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(f"#scenario-list li[data-name='{SCENARIO}']")
                paints.append(time.perf_counter() - start)
            page.click(f"#scenario-list li[data-name='{SCENARIO}']")
            page.wait_for_selector("#plot-space .scatterlayer .point", timeout=120_000)
            edits: dict[str, list[float]] = {}
            for label, pattern, values in EDITS:
                found = re.search(pattern, text, re.MULTILINE)
                assert found is not None, label
                for value in values:
                    edited = text.replace(found.group(0), found.group(0).replace(
                        found.group(1), value), 1)  # fmt: skip
                    page.evaluate(WATCH_PLOT)
                    start = time.perf_counter()
                    page.fill("#editor", edited)
                    page.wait_for_function("() => window.__drawn > 0", timeout=120_000)
                    edits.setdefault(label, []).append(time.perf_counter() - start)
            browser.close()
        server.should_exit = True
    rows = [("first useful paint (warm)", paints, 1.0)]
    rows += [(f"re-analysis after an edit: {k}", v, 2.0) for k, v in edits.items()]
    for label, times, target in rows:
        best, median = min(times), statistics.median(times)
        verdict = "met" if median < target else "NOT met"
        print(
            f"{label:58s} best {best:6.3f} s  median {median:6.3f} s  "
            f"target < {target:.0f} s: {verdict} (median/target {median / target:.2f})"
        )


if __name__ == "__main__":
    main()
