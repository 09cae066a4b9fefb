"""Scenario files of a workspace folder, never a path outside it.

A path given by a client is a relative POSIX path ending in ``.toml``: no ``..``, no
absolute path or drive, no NUL, and once symlinks are resolved it must still lie inside
the workspace (a symlink pointing out is refused like ``..``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from tradetalks._errors import InputError

#: Largest scenario text the workbench reads or writes (bytes).
MAX_SCENARIO_BYTES = 256_000


class PathRefusedError(InputError):
    """A client asked for a file outside the workspace (or not a scenario file)."""


def resolve_in(workspace: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``workspace``, or :class:`PathRefusedError`."""
    if not relative or "\x00" in relative or "\\" in relative or len(relative) > 255:
        raise PathRefusedError(f"{relative!r}: not a scenario path in the workspace")
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or ":" in path.parts[0] or path.suffix != ".toml":
        raise PathRefusedError(
            f"{relative!r}: give a relative path to a .toml file inside the workspace "
            "(no '..', no absolute path)"
        )
    root = workspace.resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root):
        raise PathRefusedError(f"{relative!r}: leads outside the workspace (a symlink?)")
    return full


def workspace_files(workspace: Path) -> list[str]:
    """The ``.toml`` files of the workspace (relative paths), leaving out links that lead out."""
    root = workspace.resolve()
    found = []
    for path in sorted(root.rglob("*.toml")):
        relative = path.relative_to(root).as_posix()
        try:
            resolve_in(root, relative)
        except PathRefusedError:
            continue
        found.append(relative)
    return found


def read_scenario(workspace: Path, relative: str) -> str:
    """The text of a workspace scenario file."""
    path = resolve_in(workspace, relative)
    if not path.is_file():
        raise FileNotFoundError(relative)
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise InputError(f"{relative}: larger than {MAX_SCENARIO_BYTES:,} bytes")
    return path.read_text(encoding="utf-8")


def write_scenario(workspace: Path, relative: str, text: str) -> Path:
    """Write a scenario file in the workspace (through a temporary file and a rename)."""
    path = resolve_in(workspace, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
