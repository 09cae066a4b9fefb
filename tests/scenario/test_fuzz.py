"""Mutated scenarios either load or raise the one scenario error, never anything else."""

import tomllib
from importlib import resources
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradetalks import ScenarioError
from tradetalks.scenario import Scenario, builtin_scenarios, loads_scenario, scenario_text

TEXTS = [scenario_text(name)[0] for name in builtin_scenarios()] + [
    resources.files("tradetalks.scenario").joinpath("template.toml").read_text()
]
DOCS = [tomllib.loads(t) for t in TEXTS]

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out += _paths(v, (*prefix, k))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


def _load_or_scenario_error(text: str) -> None:
    try:
        result = loads_scenario(text)
    except ScenarioError as e:
        assert e.lines() and all(isinstance(line, str) and line for line in e.lines())
    else:
        assert isinstance(result, Scenario)


def _drop_none(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _drop_none(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_none(v) for v in node if v is not None]
    return node


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_structure(data: st.DataObject) -> None:
    doc = tomllib.loads(data.draw(st.sampled_from(TEXTS)))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = data.draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        action = data.draw(st.sampled_from(["drop", "rename", "replace"]))
        if action == "drop":
            del parent[key]
        elif action == "rename" and isinstance(parent, dict):
            parent[key + data.draw(st.sampled_from(["_", "x", "s"]))] = parent.pop(key)
        else:
            parent[key] = data.draw(junk)
    try:
        text = tomli_w.dumps(_drop_none(doc))
    except (TypeError, ValueError):
        return  # not expressible in TOML (e.g. NaN keys): nothing a user could write
    _load_or_scenario_error(text)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_text(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(TEXTS))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:at] + text[at + data.draw(st.integers(1, 20)) :]
        else:
            text = text[:at] + data.draw(st.text(max_size=5)) + text[at:]
    _load_or_scenario_error(text)


@settings(max_examples=100, deadline=None)
@given(
    doc=st.sampled_from(DOCS),
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
)
def test_out_of_range_numbers(doc: dict[str, Any], value: float) -> None:
    mutated = tomllib.loads(tomli_w.dumps(doc))
    mutated["parties"][0]["discount"] = value
    mutated["parties"][1]["ratification"]["threshold"] = value
    _load_or_scenario_error(tomli_w.dumps(mutated))
