"""A two-party scenario gives exactly the results it gave before the N-party path.

``data/nparty_1995_reference.json`` holds the fingerprint of the 1995 built-in computed by
``main`` at f9c1af3 (before parties of several countries and countries priced in RoW):
every priced indicator and impact, the analysis, the outcome table, one session and a
300-session sweep (seed 0), compared exactly (floats by their bytes). A deliberate change of
the pricing, the politics or the engine changes it: regenerate with

    .venv/bin/python tests/game/test_nparty_two_party.py \
        > tests/game/data/nparty_1995_reference.json

and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradetalks.game import (
    analysis_summary,
    outcome_table,
    prepare_game,
    run_single,
    scenario_parameters,
    session_summary,
    solve_game,
    sweep_batch,
    sweep_summary,
)
from tradetalks.scenario import load_scenario

REFERENCE = Path(__file__).parent / "data" / "nparty_1995_reference.json"


def _digest(array: Any) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def _frame_digest(frame: pd.DataFrame) -> dict[str, str]:
    out = {}
    for c in frame.columns:
        values = frame[c].to_numpy()
        if values.dtype.kind in "biuf":
            out[str(c)] = _digest(values)
        else:
            out[str(c)] = hashlib.sha256("\x00".join(map(str, values)).encode()).hexdigest()
    return out


def fingerprint() -> dict[str, Any]:
    """What the 1995 built-in computes, as digests and JSON."""
    setup = prepare_game(load_scenario("us-japan-1995-autos"), workers=1)
    state = solve_game(setup, scenario_parameters(setup))
    _, one = run_single(setup, state, seed=0)
    sessions = sweep_batch(setup, 1, 0, 300, 0)["sessions"]
    return json.loads(json.dumps({
        "indicators": _digest(setup.indicators),
        "welfare": _digest(setup.impacts.welfare),
        "value_added": _digest(setup.impacts.value_added),
        "exports": _digest(setup.impacts.exports),
        "analysis": analysis_summary(setup, state),
        "outcomes": _frame_digest(outcome_table(setup, state)),
        "session": session_summary(setup, one),
        "sessions": _frame_digest(sessions),
        "sweep": {k: v for k, v in sweep_summary(setup, sessions).items()},
    }))  # fmt: skip


def test_the_1995_talks_give_exactly_the_results_of_main() -> None:
    want = json.loads(REFERENCE.read_text())
    got = fingerprint()
    for key in want:
        assert got[key] == want[key], key


if __name__ == "__main__":
    json.dump(fingerprint(), sys.stdout, indent=1, sort_keys=True)
    print()
