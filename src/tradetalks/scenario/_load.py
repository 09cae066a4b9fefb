"""Reading and writing scenario files; every problem becomes one :class:`ScenarioError`.

Loading never lets another exception escape: invalid TOML, wrong types, out-of-range
numbers and inconsistent references all become :class:`~tradetalks.ScenarioError`, whose
``problems`` name the file, the line where it can be told, the field and what was
expected.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import tomli_w
from pydantic import BaseModel, ValidationError

from tradetalks._errors import InputError, Problem, ScenarioError
from tradetalks._inputs import parse_toml, read_text, resolve_inside
from tradetalks.scenario import _model
from tradetalks.scenario._checks import cross_check
from tradetalks.scenario._labels import table_labels
from tradetalks.scenario._model import Scenario

_LIBRARY = "tradetalks.scenario.library"
_MODEL_NAMES = {name for name, obj in vars(_model).items() if isinstance(obj, type)}
#: The ``table_format`` names the schema accepts (its Literal, without None).
_TABLE_FORMATS = get_args(get_args(_model.Economics.model_fields["table_format"].annotation)[0])


def builtin_scenarios() -> list[str]:
    """Names of the scenarios that ship with tradetalks."""
    files = resources.files(_LIBRARY).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def scenario_text(name_or_path: str | os.PathLike[str]) -> tuple[str, str]:
    """The TOML text of a scenario file or built-in scenario, and where it came from."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or os.sep in str(name_or_path):
        return read_text(path, error=ScenarioError), str(path)
    name = str(name_or_path)
    if name in builtin_scenarios():
        resource = resources.files(_LIBRARY).joinpath(f"{name}.toml")
        return resource.read_text(encoding="utf-8"), f"<built-in {name}>"
    raise ScenarioError(
        f"no scenario named {name!r}",
        [
            Problem(
                name,
                "",
                "neither a file nor a built-in scenario; built-ins: "
                + ", ".join(builtin_scenarios()),
            )
        ],
    )


def load_scenario(name_or_path: str | os.PathLike[str]) -> Scenario:
    """Load and check a scenario from a TOML file or the name of a built-in scenario.

    A file that names a table of its own (``[economics] table``) has it resolved in the
    file's folder and read first: the scenario is then checked against that table's
    country and sector codes (e.g. Caliendo and Parro's 31 regions and 40 sectors), and
    a table that cannot be read is a problem of ``economics.table``.
    """
    text, origin = scenario_text(name_or_path)
    own = None if origin.startswith("<built-in") else _own_table(text, origin)
    if own is None:
        return loads_scenario(text, origin)
    paths, labels = own
    if labels is None:  # an unknown table_format: the checks below report it
        scenario = loads_scenario(text, origin)
    else:
        with table_labels(*labels):
            scenario = loads_scenario(text, origin)
    econ = scenario.economics
    return scenario.model_copy(update={"economics": econ.model_copy(update=paths)})


def _own_table(
    text: str, origin: str
) -> tuple[dict[str, str], tuple[tuple[str, ...], tuple[str, ...]] | None] | None:
    """The resolved paths of a file's own table and the table's codes (``None``: no table)."""
    econ = parse_toml(text, origin, error=ScenarioError).get("economics")
    if not isinstance(econ, dict) or not isinstance(econ.get("table"), str) or not econ["table"]:
        return None
    lines = _LineIndex(text)
    # A table named in a file is read from the file's own folder and must stay inside it,
    # so a scenario someone sends you cannot make tradetalks read files elsewhere.
    folder = Path(origin).parent
    paths: dict[str, str] = {}
    for field in ("table", "table_output"):
        name = econ.get(field)
        if isinstance(name, str) and name:
            path = f"economics.{field}"
            try:
                resolved = resolve_inside(
                    name, folder, source=origin, field=path, error=ScenarioError
                )
            except ScenarioError as error:
                raise ScenarioError(str(error), _located(error, lines.find(path))) from None
            paths[field] = str(resolved)
    fmt = econ.get("table_format")
    if fmt is not None and fmt not in _TABLE_FORMATS:
        return paths, None
    from tradetalks.data import read_table  # numpy and pandas only for a table of one's own

    year = econ.get("year", _model.Economics.model_fields["year"].default)
    try:
        table = read_table(
            paths["table"], paths.get("table_output"), fmt=fmt,
            year=year if isinstance(year, int) else None,
        )  # fmt: skip
    except InputError as error:
        where = Problem(origin, "economics.table", f"cannot be read: {error}",
                        lines.find("economics.table"))  # fmt: skip
        raise ScenarioError(f"{origin}: economics.table cannot be read",
                            [where, *error.problems]) from None  # fmt: skip
    return paths, (tuple(table.countries), tuple(table.sectors))


def _located(error: ScenarioError, line: int | None) -> list[Problem | str]:
    return [
        Problem(p.source, p.field, p.message, line) if isinstance(p, Problem) else p
        for p in error.problems
    ]


def loads_scenario(text: str, source: str = "<string>") -> Scenario:
    """Parse and check scenario TOML ``text``; ``source`` names it in error messages."""
    data = parse_toml(text, source, error=ScenarioError)
    lines = _LineIndex(text)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        problems = [_problem(source, lines, err) for err in e.errors()]
        raise ScenarioError(f"{source} is not a valid scenario", problems) from None
    findings = cross_check(scenario)
    if findings:
        problems = [Problem(source, path, msg, lines.find(path)) for path, msg in findings]
        raise ScenarioError(f"{source} is not a consistent scenario", problems)
    return scenario


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as TOML text that loads back to an equal model."""
    return tomli_w.dumps(_plain(scenario.model_dump(exclude_none=True)))


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    if isinstance(node, BaseModel):  # pragma: no cover - model_dump already flattened models
        return _plain(node.model_dump(exclude_none=True))
    return node


def _loc_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for item in loc:
        if isinstance(item, int):
            path += f"[{item}]"
        elif "[" in item or item in _MODEL_NAMES:
            continue  # pydantic's names for union members and validators, not fields
        else:
            path += f".{item}" if path else item
    return path


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The schema model at ``loc`` (``("issues", 2)`` -> ``Issue``), or ``None``."""
    model: type[BaseModel] | None = Scenario
    for item in loc:
        if isinstance(item, int) or model is None:
            continue
        field = model.model_fields.get(item)
        if field is None:
            return None
        model = _model_in(field.annotation)
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):  # list[Issue], Issue | None, dict[str, Strategy]
        if found := _model_in(arg):
            return found
    return None


def _named_field(loc: tuple[int | str, ...], message: str, given: Any) -> str | None:
    """The field a check across a table's fields is about, so the problem points at its line.

    The first field its message names that the table gives, else the first it names.
    """
    model = _model_at(loc)
    if model is None or not isinstance(given, dict):
        return None
    named = sorted(
        (m.start(), name)
        for name in model.model_fields
        if (m := re.search(rf"\b{re.escape(name)}\b", message))
    )
    present = [n for _, n in named if n in given]
    candidates = present or [n for _, n in named]
    return candidates[0] if candidates else None


def _problem(source: str, lines: _LineIndex, err: Any) -> Problem:
    path = _loc_path(tuple(err["loc"]))
    kind, message = err["type"], str(err["msg"]).removeprefix("Value error, ")
    if kind == "value_error" and (field := _named_field(tuple(err["loc"]), message, err["input"])):
        path = f"{path}.{field}" if path else field  # a check across fields: point at one
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        field = path.rsplit(".", 1)[-1]
        message = f"unknown field {field!r} (misspelt, or not part of the scenario format)"
    elif kind == "literal_error":
        message = f"{message}, got {err.get('input')!r}"
    return Problem(source, path, message, lines.find(path))


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


class _LineIndex:
    """Where each field of a TOML document is written, as ``path -> line``.

    A light scan, not a parser: it follows table headers, arrays of tables, keys and
    inline tables that start a line inside a multi-line array. It is only used to point
    at the line of a problem, so a miss falls back to the nearest enclosing field.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        counts: dict[str, int] = {}
        table = ""
        open_array: str | None = None
        in_string = False
        for number, line in enumerate(text.splitlines(), start=1):
            if line.count('"""') % 2 == 1:
                in_string = not in_string
                if not in_string:
                    continue
            if in_string:
                continue
            header = _HEADER.match(line)
            if header:
                open_array = None
                *parents, last = _split_key(header.group(2))
                table = ".".join(filter(None, [self._resolve(parents, counts), last]))
                if header.group(1) == "[[":
                    counts[table] = counts.get(table, 0) + 1
                if table in counts:
                    table = f"{table}[{counts[table] - 1}]"
                self.lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = ".".join(filter(None, [table, *_split_key(key.group(1))]))
                self.lines.setdefault(path, number)
                rest = line[key.end() :].strip()
                if rest.startswith("[") and not rest.rstrip().endswith("]"):
                    open_array, counts[path] = path, 0
                continue
            if open_array is not None and line.lstrip().startswith("{"):
                self.lines[f"{open_array}[{counts[open_array]}]"] = number
                counts[open_array] += 1
            if open_array is not None and line.strip().startswith("]"):
                open_array = None

    def _resolve(self, parts: list[str], counts: dict[str, int]) -> str:
        path = ""
        for part in parts:
            path = f"{path}.{part}" if path else part
            if path in counts:
                path = f"{path}[{counts[path] - 1}]"
        return path

    def find(self, path: str) -> int | None:
        """The line of ``path``, or of the nearest enclosing field that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None
