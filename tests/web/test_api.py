"""The JSON API: scenarios, located errors, analysis, runs, limits and the workspace boundary."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIO, Limits, client

from tradetalks.scenario import scenario_text
from tradetalks.store import RunStore


def _broken(text: str) -> tuple[str, int]:
    """The scenario with its title made a number, and the line of the title."""
    lines = text.splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.startswith("title ="))
    lines[n] = "title = 3"
    return "\n".join(lines) + "\n", n + 1


def test_scenarios_list_get_and_validate_with_lines(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(scenario_text(SCENARIO)[0])
    api = client(workspace=tmp_path, store=tmp_path / "runs.duckdb")
    listed = {s["name"]: s for s in api.get("/api/scenarios").json()}
    assert listed[SCENARIO]["origin"] == "built-in" and listed[SCENARIO]["outcomes"] > 1
    assert listed["mine.toml"]["origin"] == "workspace"
    text = api.get(f"/api/scenarios/{SCENARIO}").json()["text"]
    assert text == scenario_text(SCENARIO)[0]
    assert api.get("/api/scenarios/mine.toml").json()["text"] == text
    ok = api.post("/api/scenarios/validate", json={"text": text}).json()
    assert ok["ok"] and ok["id"] == SCENARIO
    broken, line = _broken(text)
    bad = api.post("/api/scenarios/validate", json={"text": broken}).json()
    assert not bad["ok"]
    assert bad["problems"] == [
        {"line": line, "field": "title", "message": "Input should be a valid string"}
    ]
    syntax = api.post("/api/scenarios/validate", json={"text": "[scenario\n"}).json()
    assert not syntax["ok"] and syntax["problems"][0]["line"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/scenarios/..%2F..%2Fetc%2Fpasswd.toml",
        "/api/scenarios/%2Fetc%2Fpasswd.toml",
        "/api/scenarios/sub%2F..%2F..%2Fx.toml",
        "/api/scenarios/out.toml",  # a symlink that leads out of the workspace
        "/api/scenarios/c:%5Cwin.toml",
        "/api/scenarios/nothing.toml",
        "/api/scenarios/no-such-builtin",
    ],
)
def test_no_file_outside_the_workspace_is_read(tmp_path: Path, path: str) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    secret = tmp_path / "secret.toml"
    secret.write_text("[scenario]\nid = 'secret'\n")
    (workspace / "out.toml").symlink_to(secret)
    api = client(workspace=workspace, store=tmp_path / "runs.duckdb")
    response = api.get(path)
    assert 400 <= response.status_code < 500
    assert "secret" not in response.text
    assert "out.toml" not in [s["name"] for s in api.get("/api/scenarios").json()]


def test_saving_stays_in_the_workspace_and_read_only_refuses(tmp_path: Path) -> None:
    text = scenario_text(SCENARIO)[0]
    api = client(workspace=tmp_path, store=tmp_path / "runs.duckdb")
    assert api.put("/api/scenarios/sub/new.toml", json={"text": text}).status_code == 200
    assert (tmp_path / "sub" / "new.toml").read_text() == text
    assert api.put("/api/scenarios/..%2Fescape.toml", json={"text": text}).status_code == 400
    assert not (tmp_path.parent / "escape.toml").exists()
    broken, _ = _broken(text)
    refused = api.put("/api/scenarios/bad.toml", json={"text": broken})
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "title"
    frozen = client(workspace=tmp_path, store=tmp_path / "runs.duckdb", read_only=True)
    for response in (
        frozen.put("/api/scenarios/x.toml", json={"text": text}),
        frozen.post("/api/runs", json={"name": SCENARIO, "sessions": 1}),
        frozen.delete("/api/runs/r1"),
    ):
        assert response.status_code == 403 and "read-only" in response.json()["detail"]
    assert not (tmp_path / "x.toml").exists()


def test_oversize_requests_and_outcome_spaces_are_refused(tmp_path: Path) -> None:
    api = client(workspace=tmp_path, store=tmp_path / "runs.duckdb",
                 limits=Limits(max_request_bytes=50_000, max_outcomes=10))  # fmt: skip
    big = api.post("/api/scenarios/validate", json={"text": "#" * 60_000})
    assert big.status_code == 413
    text = scenario_text(SCENARIO)[0]
    checked = api.post("/api/scenarios/validate", json={"text": text}).json()
    assert not checked["ok"] and "outcomes" in checked["problems"][0]["message"]
    analysed = api.post("/api/analyze", json={"name": SCENARIO})
    assert analysed.status_code == 422 and "at most 10" in analysed.json()["detail"]
    assert api.post("/api/analyze", json={}).status_code == 422  # neither text nor name


def test_analyze_and_price_use_the_library(warm_store: Path, tmp_path: Path) -> None:
    from tradetalks.game import analysis_summary, prepare_game, scenario_parameters, solve_game
    from tradetalks.scenario import load_scenario

    api = client(workspace=tmp_path, store=warm_store)
    got = api.post("/api/analyze", json={"name": SCENARIO}).json()
    setup = prepare_game(load_scenario(SCENARIO), workers=1, cache=RunStore(warm_store, hold_s=0))
    want = analysis_summary(setup, solve_game(setup, scenario_parameters(setup)))
    assert got["summary"]["analysis"]["zopa_size"] == want["zopa_size"]
    assert got["summary"]["analysis"]["win_set_sizes"] == want["win_set_sizes"]
    assert len(got["outcomes"]) == want["n_outcomes"]
    assert sum(r["zopa"] for r in got["outcomes"]) == want["zopa_size"]
    nash = want["nash"]
    priced = api.post("/api/price", json={"name": SCENARIO, "outcome": nash["labels"]}).json()
    assert priced["code"] == nash["outcome"]
    deal = [r for r in got["impacts"] if r["kind"] == "deal"]
    assert [r["value_added_change"] for r in priced["impacts"]] == [
        r["value_added_change"] for r in deal
    ]
    wrong = api.post("/api/price", json={"name": SCENARIO, "outcome": {"nope": "x"}})
    assert wrong.status_code == 422 and "no issue 'nope'" in wrong.json()["detail"]


def test_runs_tables_export_compare_delete(two_runs: tuple[Path, str, str], tmp_path: Path) -> None:
    path, a, b = two_runs
    api = client(workspace=tmp_path, store=path)
    assert [r["run_id"] for r in api.get("/api/runs").json()] == [a, b]
    shown = api.get(f"/api/runs/{a}").json()
    assert shown["table_rows"] == {"sessions": 8} and shown["seed"] == 1
    rows = api.get(f"/api/runs/{a}/tables/sessions?limit=3&offset=2").json()
    assert rows["rows"] == 8 and [r["session"] for r in rows["records"]] == [2, 3, 4]
    csv = api.get(f"/api/runs/{a}/export?format=csv&table=sessions")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    back = pd.read_csv(pd.io.common.StringIO(csv.text))
    pd.testing.assert_frame_equal(back, RunStore(path).get_run(a).tables["sessions"])
    assert api.get(f"/api/runs/{a}/export?format=dbf&table=sessions").status_code == 422
    assert api.get(f"/api/runs/{a}/export?format=csv").status_code == 422  # which table?
    assert api.get(f"/api/runs/{a}/export?format=xlsx").status_code == 200
    cmp = api.get(f"/api/compare?a={a}&b={b}").json()
    changed = {r["field"] for r in cmp["inputs"] + cmp["results"] if r["changed"]}
    assert changed == {"seed", "scenario_sha256", "sweep.agreement_rate"}
    assert api.get(f"/api/runs/{a}/tables/nope").status_code == 404
    assert api.get("/api/runs/r0000").status_code == 404
    assert api.delete(f"/api/runs/{a}").json() == {"deleted": a}
    assert [r["run_id"] for r in api.get("/api/runs").json()] == [b]


def test_monitor_verdicts_with_series(tmp_path: Path) -> None:
    api = client(workspace=tmp_path, store=tmp_path / "runs.duckdb")
    names = api.get("/api/monitor").json()
    assert "autos-1995" in names
    result = api.get("/api/monitor/autos-1995").json()
    assert result["verdict"] in {"met", "partly met", "not met", "undecided", "partly_met"}
    assert any(g.get("indicator", {}).get("values") for g in result["goals"])
    assert api.get("/api/monitor/nope").status_code == 404


@pytest.mark.slow
def test_a_run_is_a_job_with_progress_events(warm_store: Path, tmp_path: Path) -> None:
    api = client(workspace=tmp_path, store=warm_store)
    job = api.post("/api/runs", json={"name": SCENARIO, "sessions": 400, "seed": 3})
    assert job.status_code == 202
    job_id = job.json()["id"]
    deadline = time.monotonic() + 300
    while (state := api.get(f"/api/jobs/{job_id}").json())["status"] not in ("finished", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert state["status"] == "finished", state["error"]
    stream = api.get(f"/api/jobs/{job_id}/events").text
    events = [json.loads(ln[5:]) for ln in stream.split("\n") if ln.startswith("data:")]
    assert events[0]["status"] == "queued" and events[-1]["status"] == "finished"
    assert events[-1]["progress"] == 1.0 and events[-1]["run_id"] == state["run_id"]
    run = api.get(f"/api/runs/{state['run_id']}").json()
    assert run["kind"] == "run" and run["seed"] == 3 and run["summary"]["sweep"]["sessions"] == 400
    assert api.get("/api/jobs/nope").status_code == 404


def test_the_page_loads_nothing_from_the_network(tmp_path: Path) -> None:
    import tradetalks.web as web

    assert set(web.__all__) == {"Limits", "create_app"}
    api = client(workspace=tmp_path, store=tmp_path / "runs.duckdb")
    page = api.get("/").text
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    for asset in ("/static/app.js", "/static/app.css", "/vendor/plotly.min.js"):
        response = api.get(asset)
        assert response.status_code == 200 and len(response.content) > 500, asset
    assert "Plotly" in api.get("/vendor/plotly.min.js").text[:5000]
    assert api.get("/static/..%2F_app.py").status_code == 404
    assert "innerHTML" not in api.get("/static/app.js").text  # text goes in as text


def test_a_scenario_cannot_make_the_server_read_a_table(tmp_path: Path) -> None:
    api = client(workspace=tmp_path, store=tmp_path / "runs.duckdb")
    text = scenario_text(SCENARIO)[0].replace(
        "[economics]\n", '[economics]\ntable = "/etc/passwd"\n', 1
    )
    checked = api.post("/api/scenarios/validate", json={"text": text}).json()
    assert not checked["ok"]
    assert [p["field"] for p in checked["problems"]] == ["economics.table"]
    assert api.post("/api/analyze", json={"text": text}).status_code == 422
