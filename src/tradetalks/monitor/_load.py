"""Find goals: a path to a TOML file, or the name of a bundled example."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from tradetalks._errors import MonitorError, Problem
from tradetalks.monitor._model import Monitoring, load_goals_file


def bundled_examples() -> dict[str, Path]:
    """Bundled example names (``autos-1995``...) and their files."""
    folder = Path(str(resources.files("tradetalks.monitor") / "examples"))
    return {p.stem.replace("_", "-"): p for p in sorted(folder.glob("*.toml"))}


def resolve_goals(goals: str | Path) -> Path:
    """The file ``goals`` names: an existing path, else a bundled example's name."""
    path = Path(goals)
    if path.exists():
        return path  # read (and refused if it is a folder, a FIFO...) by the loader
    examples = bundled_examples()
    name = str(goals).removesuffix(".toml").replace("_", "-")
    if name in examples:
        return examples[name]
    raise MonitorError(
        "unknown goals",
        [
            Problem(
                str(goals),
                "",
                f"no such file, nor a bundled example (examples: {', '.join(examples)})",
            )
        ],
    )


def load_goals(goals: str | Path, *, allowed: Sequence[Path] = ()) -> Monitoring:
    """Load goals from a TOML file (or a scenario with ``[monitoring]``) or a bundled example.

    Files the goals name must lie in the goals file's folder or one of ``allowed``.
    """
    return load_goals_file(resolve_goals(goals), allowed=allowed)
