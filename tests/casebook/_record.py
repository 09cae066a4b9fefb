"""The development record (a copy under tests/) and helpers to walk it."""

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
FORCED = DATA / "forced"


@cache
def record() -> dict[str, Any]:
    with (DATA / "episodes_dev.yaml").open(encoding="utf-8") as f:
        return dict(yaml.safe_load(f))


def episode(record_id: str) -> dict[str, Any]:
    return next(e for e in record()["episodes"] if e["id"] == record_id)


def walk(node: Any, path: str) -> list[Any]:
    """Every node from ``node`` down to ``path`` (``a.b[2].c``), the value last."""
    nodes = [node]
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        here = nodes[-1]
        nodes.append(here[int(part[1:-1])] if part.startswith("[") else here[part])
    return nodes


def sources_of(node: Any, path: str) -> set[str]:
    """The ``src`` keys of the nearest node on ``path`` that cites any."""
    for n in reversed(walk(node, path)):
        if isinstance(n, dict) and "src" in n:
            return set(n["src"])
    return set()
