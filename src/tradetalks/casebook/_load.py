"""Reading episodes: the bundled casebook or your own episode files, checked with located errors.

An episode is a folder with ``episode.toml`` (the questions, the record's answers, the
cited sources) and, unless it uses a built-in scenario (``scenario = "builtin:NAME"``),
the scenario file it names. Every problem becomes one :class:`~tradetalks.InputError`
whose lines name the file, the line, the field and what was expected, as for scenarios.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import ValidationError

from tradetalks._errors import InputError, Problem, ScenarioError
from tradetalks._inputs import resolve_inside
from tradetalks.casebook._model import Episode, Question
from tradetalks.scenario import Scenario, loads_scenario, scenario_text
from tradetalks.scenario._load import _LineIndex, _problem

_PACKAGE = "tradetalks.casebook"
EPISODE_FILE = "episode.toml"
BUILTIN = "builtin:"


@dataclass(frozen=True, eq=False)
class CaseEntry:
    """An episode with its loaded scenario and the scenario's text (for the run store)."""

    episode: Episode
    scenario: Scenario
    scenario_text: str
    origin: str


def _root() -> Traversable:
    return resources.files(_PACKAGE).joinpath("episodes")


def builtin_episodes() -> list[str]:
    """Ids of the episodes that ship with tradetalks, in chronological order of their id."""
    return sorted(d.name for d in _root().iterdir() if d.joinpath(EPISODE_FILE).is_file())


def _folder(name_or_path: str | os.PathLike[str]) -> Traversable:
    path = Path(name_or_path)
    if path.is_dir():
        return path
    if path.name == EPISODE_FILE and path.is_file():
        return path.parent
    name = str(name_or_path)
    if name in builtin_episodes():
        return _root().joinpath(name)
    raise InputError(
        f"no episode named {name!r}",
        [Problem(name, "", "neither an episode folder nor a built-in episode; built-ins: "
                 + ", ".join(builtin_episodes()))],
    )  # fmt: skip


def _origin(folder: Traversable) -> str:
    return str(folder.joinpath(EPISODE_FILE)) if isinstance(folder, Path) else (
        f"<built-in episode {folder.name}>"
    )  # fmt: skip


def load_episode(name_or_path: str | os.PathLike[str]) -> CaseEntry:
    """Load and check an episode: a built-in id, an episode folder or its ``episode.toml``."""
    folder = _folder(name_or_path)
    origin = _origin(folder)
    try:
        text = folder.joinpath(EPISODE_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {origin}", [Problem(origin, "", str(e))]) from None
    episode = parse_episode(text, origin)
    if episode.scenario.startswith(BUILTIN):
        try:
            s_text, s_origin = scenario_text(episode.scenario.removeprefix(BUILTIN))
        except ScenarioError as e:
            problem = Problem(origin, "scenario", "; ".join(e.lines()),
                              _LineIndex(text).find("scenario"))  # fmt: skip
            raise InputError(f"{origin}: no scenario", [problem]) from None
    else:
        resource = folder.joinpath(episode.scenario)
        if isinstance(folder, Path):
            # An episode someone sends you must not make tradetalks read files outside it.
            resource = resolve_inside(episode.scenario, folder, source=origin, field="scenario")
        s_origin = str(resource) if isinstance(folder, Path) else (
            f"<built-in episode {folder.name}/{episode.scenario}>"
        )  # fmt: skip
        try:
            s_text = resource.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            problem = Problem(origin, "scenario", f"cannot read the scenario file: {e}",
                              _LineIndex(text).find("scenario"))  # fmt: skip
            raise InputError(f"{origin}: no scenario", [problem]) from None
    scenario = loads_scenario(s_text, s_origin)
    findings = cross_check(episode, scenario)
    if findings:
        lines = _LineIndex(text)
        problems = [Problem(origin, path, msg, lines.find(path)) for path, msg in findings]
        raise InputError(f"{origin} does not fit its scenario", problems)
    return CaseEntry(episode, scenario, s_text, origin)


def parse_episode(text: str, origin: str = "<string>") -> Episode:
    """Parse episode TOML ``text`` into an :class:`Episode` (no scenario checks)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        where = re.search(r"\(at line (\d+), column \d+\)", str(e))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        problem = Problem(origin, "", f"invalid TOML: {message}",
                          int(where.group(1)) if where else None)  # fmt: skip
        raise InputError(f"{origin} is not valid TOML", [problem]) from None
    try:
        return Episode.model_validate(data)
    except ValidationError as e:
        lines = _LineIndex(text)
        problems = [_problem(origin, lines, err) for err in e.errors()]
        raise InputError(f"{origin} is not a valid episode", problems) from None


def _check_question(
    k: int, q: Question, scenario: Scenario, cited: set[str]
) -> list[tuple[str, str]]:
    where = f"questions[{k}]"
    out = [(f"{where}.sources", f"source {s!r} is not among the episode's [[sources]]")
           for s in q.sources if s not in cited]  # fmt: skip
    issues = {i.id: i for i in scenario.issues}
    r = q.read
    wanted: list[tuple[str, list[str]]] = []
    match r.kind:
        case "threat":
            if r.threat not in {t.id for t in scenario.threats}:
                out.append((f"{where}.read.threat", f"the scenario has no threat {r.threat!r}"))
        case "settled":
            wanted = [(r.issue, r.options)]
        case "joint":
            wanted = list(r.issues.items())
        case "moved":
            wanted = [(i, []) for i in r.issues]
        case "option":
            wanted = [(r.issue, [q.answer] if isinstance(q.answer, str) else [])]
    for issue, options in wanted:
        if issue not in issues:
            out.append((f"{where}.read", f"the scenario has no issue {issue!r}"))
            continue
        unknown = [o for o in options if o not in issues[issue].option_ids()]
        if unknown:
            out.append((f"{where}.read" if r.kind != "option" else f"{where}.answer",
                        f"issue {issue!r} has no option(s) {unknown}; options: "
                        f"{issues[issue].option_ids()}"))  # fmt: skip
    out += [(f"{where}.record[{j}].path", "unsourced items of the record are not targets")
            for j, ref in enumerate(q.record) if ref.path.startswith("unsourced")]  # fmt: skip
    return out


def cross_check(episode: Episode, scenario: Scenario) -> list[tuple[str, str]]:
    """Problems across fields: unknown sources, issues, options or threats; repeated ids."""
    cited = {s.key for s in episode.sources}
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for k, q in enumerate(episode.questions):
        if q.id in seen:
            out.append((f"questions[{k}].id", f"question id {q.id!r} is used twice"))
        seen.add(q.id)
        out += _check_question(k, q, scenario, cited)
    keys = [s.key for s in episode.sources]
    out += [("sources", f"source {k!r} is declared twice") for k in sorted(set(keys))
            if keys.count(k) > 1]  # fmt: skip
    return out


def load_casebook(names: Sequence[str] | None = None) -> list[CaseEntry]:
    """Load the named episodes (default: every built-in one); all problems are reported."""
    entries, problems = [], []
    for name in names or builtin_episodes():
        try:
            entries.append(load_episode(name))
        except InputError as e:
            problems += list(e.problems) or [str(e)]
    if problems:
        raise InputError("the casebook has invalid episodes", problems)
    return entries


def cited_keys(entries: Iterable[CaseEntry]) -> set[str]:
    """Every source key the episodes' questions cite."""
    return {s for e in entries for q in e.episode.questions for s in q.sources}
