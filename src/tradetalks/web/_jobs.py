"""Runs started from the workbench: ``tradetalks run`` in a child process, watched in the store.

A job is the command line's own main job (``python -m tradetalks run FILE --json``), so a
run started here is saved, resumable and reported exactly like one started in a terminal.
Its progress is read from the store: the sessions its run has saved so far out of those
asked for. Each change is an event (``queued`` → ``running`` with progress → ``finished``
with the run id, or ``failed`` with the command's error line).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tradetalks._errors import StoreError
from tradetalks.store import RunStore


@dataclass
class Job:
    """One run being made: its state and the events so far."""

    id: str
    scenario_id: str
    sessions: int
    status: str = "queued"
    progress: float = 0.0
    run_id: str | None = None
    error: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The job's state as JSON."""
        return {
            "id": self.id,
            "scenario_id": self.scenario_id,
            "sessions": self.sessions,
            "status": self.status,
            "progress": self.progress,
            "run_id": self.run_id,
            "error": self.error,
            "n_events": len(self.events),
        }


class Jobs:
    """The workbench's runs in progress and done (kept in memory while the server lives)."""

    def __init__(self, store_path: Path | None) -> None:
        self._store_path = store_path
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        """The job ``job_id``, or ``None``."""
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, text: str, scenario_id: str, *, sessions: int, seed: int) -> Job:
        """Start ``tradetalks run`` on a scenario text; return its job at once."""
        job = Job(id=f"j{secrets.token_hex(6)}", scenario_id=scenario_id, sessions=sessions)
        with self._lock:
            self._jobs[job.id] = job
        self._event(job, "queued")
        thread = threading.Thread(target=self._work, args=(job, text, seed), daemon=True)
        thread.start()
        return job

    def _event(self, job: Job, status: str, **extra: Any) -> None:
        with self._lock:
            job.status = status
            for key, value in extra.items():
                setattr(job, key, value)
            job.events.append({"at": datetime.now(UTC).isoformat(), **job.as_dict()})

    def _work(self, job: Job, text: str, seed: int) -> None:
        with tempfile.TemporaryDirectory(prefix="tradetalks-job-") as tmp:
            scenario = Path(tmp) / f"{job.scenario_id or 'scenario'}.toml"
            scenario.write_text(text, encoding="utf-8")
            args = [
                sys.executable,
                "-m",
                "tradetalks",
                "run",
                str(scenario),
                "--json",
                "--no-report",
                "--workers",
                "1",
                "-n",
                str(job.sessions),
                "--seed",
                str(seed),
            ]
            if self._store_path is not None:
                args += ["--store", str(self._store_path)]
            started = datetime.now(UTC)
            proc = subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp
            )
            self._event(job, "running")
            while proc.poll() is None:
                self._watch(job, started)
                time.sleep(0.3)
            out, err = proc.communicate()
        if proc.returncode != 0:
            lines = [ln for ln in err.splitlines() if ln.strip()]
            self._event(job, "failed", error=lines[-1] if lines else f"exit {proc.returncode}")
            return
        run_id = str(json.loads(out)["run_id"])
        self._event(job, "finished", progress=1.0, run_id=run_id)

    def _watch(self, job: Job, started: datetime) -> None:
        """Read the job's progress from the store (skipped while a writer holds it)."""
        try:
            runs = RunStore(self._store_path, lock_timeout_s=0.2, hold_s=0).list_runs()
        except StoreError:
            return
        if runs.empty:
            return
        mine = runs[(runs["kind"] == "run") & (runs["created_utc"] >= started)]
        mine = mine[mine["scenario_id"] == job.scenario_id]
        if mine.empty:
            return
        row = mine.iloc[-1]
        done = min(int(row["n_sessions"]) / max(job.sessions, 1), 0.99)
        if row["run_id"] != job.run_id or done > job.progress:
            self._event(job, "running", run_id=str(row["run_id"]), progress=round(done, 3))
