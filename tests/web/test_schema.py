"""schemathesis against the OpenAPI schema: no 5xx anywhere; traversal and oversize get 4xx."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from conftest import Limits, client
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis

from tradetalks.store import RunStore
from tradetalks.web import create_app


def _app():  # type: ignore[no-untyped-def]
    """The app over an empty workspace and a store with one run (built once, at import)."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="tradetalks-schema-"))
    (tmp / "ws").mkdir()
    store = tmp / "runs.duckdb"
    with RunStore(store, hold_s=0) as s:
        run_id = s.start_run(kind="run", scenario_id="s", scenario_text="# s\n",
                             data_version="d", seed=1, settings={})  # fmt: skip
        import pandas as pd

        s.save_batch(run_id, 0, {"sessions": pd.DataFrame({"x": [1, 2]})})
        s.finish_run(run_id, {"n": 2})
    # Small limits keep generated scenarios from pricing real economies and the casebook
    # (every episode priced once, then cached in the store) to a few sessions a call.
    limits = Limits(max_request_bytes=64_000, max_outcomes=64, max_sessions=0,
                    max_casebook_sessions=5)  # fmt: skip
    return create_app(workspace=tmp / "ws", store=store, read_only=False, limits=limits)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())
# Starting runs spawns processes and pricing a generated scenario costs seconds: both are
# exercised in test_api.py; here every other operation gets generated input.
schema = schema.exclude(path_regex=r"^/api/(runs|analyze|price)$", method="POST").exclude(
    path_regex=r"/events$"
)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/scenarios/..%2F..%2F..%2Fetc%2Fhostname.toml", None),
        ("GET", "/api/scenarios/%2Fetc%2Fhostname.toml", None),
        ("PUT", "/api/scenarios/..%2Fx.toml", {"text": "[scenario]\n"}),
        ("POST", "/api/scenarios/validate", {"text": "#" * 100_000}),
        ("POST", "/api/analyze", {"text": "#" * 100_000}),
    ],
)
def test_traversal_and_oversize_get_4xx(
    tmp_path: Path, method: str, path: str, body: dict[str, str] | None
) -> None:
    api = client(workspace=tmp_path, store=tmp_path / "r.duckdb",
                 limits=Limits(max_request_bytes=64_000))  # fmt: skip
    response = api.request(method, path, json=body)
    assert 400 <= response.status_code < 500
    assert response.status_code == (413 if body and len(body["text"]) > 64_000 else 400)
