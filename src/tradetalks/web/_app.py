"""The workbench's FastAPI app: a JSON API (OpenAPI at ``/openapi.json``) and the page at ``/``.

Safe by default: ``tradetalks serve`` binds 127.0.0.1; scenario files are read and written
only inside ``--workspace``; a request body over ``Limits.max_request_bytes`` is answered
413, an outcome space over ``Limits.max_outcomes`` 422; with ``read_only`` every write
(saving a scenario, starting a run, deleting one) is answered 403. Errors are JSON
``{"detail": ..., "problems": [...]}`` with a 4xx status, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradetalks import __version__
from tradetalks._errors import InputError, ScenarioError, StoreError, TradetalksError
from tradetalks.store import RunStore, compare_runs, comparison_json, export_run, record_json
from tradetalks.web._jobs import Jobs
from tradetalks.web._service import (
    Analyst,
    Limits,
    OutcomeSpaceTooLargeError,
    finite,
    load_text,
    problems_json,
    records,
    scenario_list,
    scenario_source,
)
from tradetalks.web._workspace import (
    MAX_SCENARIO_BYTES,
    PathRefusedError,
    resolve_in,
    write_scenario,
)

_STATIC = "tradetalks.web.static"
Name = Annotated[str, Field(max_length=255, description="A built-in scenario or a workspace file")]


class ScenarioText(BaseModel):
    """A scenario's TOML text."""

    text: str = Field(max_length=MAX_SCENARIO_BYTES)


class ScenarioInput(BaseModel):
    """A scenario: its TOML text, or the name of a built-in scenario / workspace file."""

    text: str | None = Field(default=None, max_length=MAX_SCENARIO_BYTES)
    name: Name | None = None


class PriceInput(ScenarioInput):
    """A scenario and the outcome to price (issue → option; others at their status quo)."""

    outcome: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=100)]] = (
        Field(default_factory=dict, max_length=50)
    )


class RunInput(ScenarioInput):
    """A scenario and the size of the run's uncertainty sweep."""

    sessions: int = Field(default=1000, ge=0)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class ReadOnlyError(TradetalksError):
    """A write asked of a read-only workbench."""


class _BodyLimit:
    """Answer 413 to a request whose body is larger than ``limit`` bytes (declared or sent)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLargeError:
            await _too_large(self.limit)(scope, receive, send)


class _TooLargeError(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"request body over {limit:,} bytes"}, status_code=413)


def _error(status: int, error: BaseException) -> JSONResponse:
    body: dict[str, Any] = {"detail": str(error)}
    if isinstance(error, ScenarioError):
        body["problems"] = problems_json(error)
    return JSONResponse(body, status_code=status)


def _status_of(error: BaseException) -> int:
    if isinstance(error, ReadOnlyError):
        return 403
    if isinstance(error, PathRefusedError):
        return 400
    if isinstance(error, FileNotFoundError):
        return 404
    if isinstance(error, StoreError):
        text = str(error)
        return (
            404 if ("no run" in text or "has no table" in text or "no run store" in text) else 409
        )
    if isinstance(error, OutcomeSpaceTooLargeError | InputError):
        return 422
    return 400


def create_app(
    *,
    workspace: Path | None = None,
    store: Path | None = None,
    read_only: bool = False,
    limits: Limits | None = None,
) -> FastAPI:
    """The workbench app over a workspace folder and a run store."""
    limits = limits or Limits()
    workspace = workspace.resolve() if workspace is not None else None
    analyst = Analyst(store, read_only=read_only)
    jobs = Jobs(store)
    app = FastAPI(
        title="tradetalks workbench",
        version=__version__,
        description="Scenarios, analyses, runs and their tables, over the tradetalks library.",
    )
    app.add_middleware(_BodyLimit, limit=limits.max_request_bytes)

    for kind in (TradetalksError, FileNotFoundError):

        async def handler(request: Request, error: Exception) -> JSONResponse:
            return _error(_status_of(error), error)

        app.add_exception_handler(kind, handler)

    def writable() -> None:
        if read_only:
            raise ReadOnlyError("the workbench is read-only (--read-only): nothing can be written")

    def source(given: ScenarioInput) -> tuple[str, str]:
        if (given.text is None) == (given.name is None):
            raise InputError("give the scenario as 'text' or as 'name', one of the two")
        if given.text is not None:
            return given.text, "<editor>"
        assert given.name is not None
        return scenario_source(given.name, workspace)

    def run_store() -> RunStore:
        return RunStore(store, lock_timeout_s=5.0, hold_s=0)

    @app.get("/api/scenarios", tags=["scenarios"])
    def list_scenarios() -> list[dict[str, Any]]:
        """Built-in scenarios and the workspace's scenario files."""
        return scenario_list(workspace)

    @app.get("/api/scenarios/{name:path}", tags=["scenarios"])
    def get_scenario(name: str) -> dict[str, Any]:
        """A scenario's text (a built-in name, or a ``.toml`` path inside the workspace)."""
        text, origin = scenario_source(name[:255], workspace)
        return {"name": name, "origin": origin, "text": text}

    @app.put("/api/scenarios/{name:path}", tags=["scenarios"])
    def save_scenario(name: str, body: ScenarioText) -> dict[str, Any]:
        """Save a scenario file in the workspace (it must validate first)."""
        writable()
        if workspace is None:
            raise InputError("no workspace: start the server with --workspace DIR")
        resolve_in(workspace, name)  # a path outside the workspace is refused first
        load_text(body.text, name, limits)
        path = write_scenario(workspace, name, body.text)
        return {"name": name, "bytes": path.stat().st_size}

    @app.post("/api/scenarios/validate", tags=["scenarios"])
    def validate(body: ScenarioText) -> dict[str, Any]:
        """Check a scenario text: ``ok``, or every problem with its line and field."""
        try:
            s = load_text(body.text, "<editor>", limits)
        except ScenarioError as error:
            return {"ok": False, "problems": problems_json(error)}
        except OutcomeSpaceTooLargeError as error:
            return {
                "ok": False,
                "problems": [{"line": None, "field": "issues", "message": str(error)}],
            }
        return {
            "ok": True,
            "problems": [],
            "id": s.id,
            "title": s.title,
            "parties": [p.code for p in s.parties],
            "issues": [i.id for i in s.issues],
        }

    @app.post("/api/analyze", tags=["analysis"])
    def analyze(body: ScenarioInput) -> dict[str, Any]:
        """Win-sets, zone of agreement, frontier, Nash/KS deals, every outcome, impacts."""
        text, origin = source(body)
        return analyst.analyze(load_text(text, origin, limits), text)

    @app.post("/api/price", tags=["analysis"])
    def price(body: PriceInput) -> dict[str, Any]:
        """What one outcome does, by party and sector and to every country."""
        text, origin = source(body)
        return analyst.price(load_text(text, origin, limits), text, body.outcome)

    @app.post("/api/runs", tags=["runs"], status_code=202)
    def start_run(body: RunInput) -> dict[str, Any]:
        """Start ``tradetalks run`` (analysis, one session, a sweep) as a job."""
        writable()
        if body.sessions > limits.max_sessions:
            raise InputError(f"sessions: at most {limits.max_sessions:,} from the workbench")
        text, origin = source(body)
        scenario = load_text(text, origin, limits)
        return jobs.start(text, scenario.id, sessions=body.sessions, seed=body.seed).as_dict()

    @app.get("/api/jobs/{job_id}", tags=["runs"])
    def get_job(job_id: Annotated[str, Field(max_length=40)]) -> dict[str, Any]:
        """A job's state: status, progress (0..1), run id, error."""
        job = jobs.get(job_id)
        if job is None:
            raise FileNotFoundError(f"no job {job_id!r}")
        return job.as_dict()

    @app.get("/api/jobs/{job_id}/events", tags=["runs"])
    async def job_events(job_id: str) -> StreamingResponse:
        """The job's progress as server-sent events, until it finishes or fails."""
        job = jobs.get(job_id)
        if job is None:
            raise FileNotFoundError(f"no job {job_id!r}")

        async def stream() -> AsyncIterator[str]:
            sent = 0
            while True:
                events = list(job.events)
                for event in events[sent:]:
                    yield f"data: {json.dumps(event)}\n\n"
                sent = len(events)
                if job.status in ("finished", "failed") and sent == len(job.events):
                    return
                await asyncio.sleep(0.2)

        return StreamingResponse(stream(), media_type="text/event-stream")

    @app.get("/api/runs", tags=["runs"])
    def list_runs() -> list[dict[str, Any]]:
        """Saved runs, oldest first."""
        runs = run_store().list_runs() if (store is None or store.exists()) else None
        if runs is None or runs.empty:
            return []
        runs = runs.assign(created_utc=runs["created_utc"].map(lambda t: t.isoformat()))
        return records(runs)

    @app.get("/api/runs/{run_id}", tags=["runs"])
    def get_run(run_id: str) -> dict[str, Any]:
        """One run as ``tradetalks runs show --json`` prints it."""
        s = run_store()
        return record_json(s.get_run(run_id, tables=[]), s.path)

    @app.get("/api/runs/{run_id}/tables/{table}", tags=["runs"])
    def get_table(
        run_id: str,
        table: str,
        limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """Rows of one of a run's tables."""
        frame = run_store().get_run(run_id, tables=[table]).tables[table]
        page = frame.iloc[offset : offset + limit]
        return {"table": table, "rows": len(frame), "offset": offset, "records": records(page)}

    @app.get("/api/runs/{run_id}/export", tags=["runs"])
    def export(
        run_id: str,
        fmt: Annotated[str, Query(alias="format", pattern="^(csv|parquet|xlsx)$")] = "csv",
        table: Annotated[str | None, Query(max_length=63)] = None,
    ) -> Response:
        """A run's table (or all its tables as a workbook) as a file download."""
        if table is None and fmt != "xlsx":
            raise InputError(f"format {fmt}: name a table (all tables go into one xlsx)")
        record = run_store().get_run(run_id, tables=None if table is None else [table])
        with tempfile.TemporaryDirectory() as tmp:
            name = f"{record.info.run_id}{'-' + table if table else ''}.{fmt}"
            (written,) = export_run(record, fmt, Path(tmp) / name, table=table)
            data = written.read_bytes()
        media = {
            "csv": "text/csv",
            "parquet": "application/vnd.apache.parquet",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
        return Response(
            data,
            media_type=media[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/api/compare", tags=["runs"])
    def compare(a: str, b: str) -> dict[str, Any]:
        """Two runs side by side: inputs, scenario changes, results, table sizes."""
        s = run_store()
        return comparison_json(compare_runs(s.get_run(a, tables=[]), s.get_run(b, tables=[])))

    @app.delete("/api/runs/{run_id}", tags=["runs"])
    def delete_run(run_id: str) -> dict[str, Any]:
        """Delete a run and its rows."""
        writable()
        return {"deleted": run_store().delete_run(run_id)}

    @app.get("/api/casebook/episodes", tags=["casebook"])
    def casebook_episodes() -> list[dict[str, Any]]:
        """The built-in casebook episodes: id, title, scenario, number of questions."""
        from tradetalks.web._casebook import episode_list

        return episode_list()

    @app.get("/api/casebook", tags=["casebook"])
    def casebook(
        episodes: Annotated[
            str | None,
            Query(max_length=1000, description="Built-in episode ids, comma-separated (all)"),
        ] = None,
        sessions: Annotated[
            int | None, Query(ge=1, description="Sessions per episode (200, or the limit)")
        ] = None,
        seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
        cv: Annotated[bool, Query(description="Choose settings leave-one-episode-out")] = False,
    ) -> dict[str, Any]:
        """``tradetalks casebook``: program, naive rule and base rates scored on the record.

        Per question, per episode, per kind and for the whole book (with bootstrap
        intervals over episodes). Nothing is saved.
        """
        from tradetalks.web._casebook import casebook_json, episode_names

        if sessions is None:
            sessions = min(200, limits.max_casebook_sessions)
        if sessions > limits.max_casebook_sessions:
            raise InputError(
                f"sessions: at most {limits.max_casebook_sessions:,} per episode from the "
                "workbench; use `tradetalks casebook` for more"
            )
        names = episode_names(episodes)
        return casebook_json(
            names, sessions=sessions, seed=seed, cv=cv, cache=analyst.price_cache()
        )

    @app.get("/api/monitor", tags=["monitor"])
    def monitor_examples() -> list[str]:
        """The bundled monitoring examples."""
        from tradetalks.monitor import bundled_examples

        return list(bundled_examples())

    @app.get("/api/monitor/{name}", tags=["monitor"])
    def monitor(name: str) -> dict[str, Any]:
        """Verdicts of a bundled example's goals, with each goal's indicator series."""
        from tradetalks.monitor import assess, bundled_examples, load_goals

        examples = bundled_examples()
        if name not in examples:
            raise FileNotFoundError(f"no monitoring example {name!r}; have {', '.join(examples)}")
        path = examples[name]
        result = assess(load_goals(path), base_dir=path.parent)
        verdicts: dict[str, Any] = finite(result.to_dict())
        return verdicts

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(resources.files(_STATIC).joinpath("index.html").read_text("utf-8"))

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in ("app.js", "app.css"):
            raise FileNotFoundError(name)
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(resources.files(_STATIC).joinpath(name).read_bytes(), media_type=media)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        # The plotly package's own bundled plotly.js: the page needs no network.
        import plotly  # type: ignore[import-untyped]

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(
            path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
        )

    return app
