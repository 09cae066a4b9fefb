"""GENIUS XML domains and linear-additive utility profiles: import and export.

The GENIUS format (Lin, Kraus, Baarslag, Tykhonov, Hindriks and Jonker 2014, "Genius: an
integrated environment for supporting the design of generic automated negotiators",
Computational Intelligence 30(1)), used by the ANAC competitions: a domain file lists the
issues and their values; each profile file gives issue weights, an ``evaluation`` score per
value, a reservation value and a discount factor. GENIUS divides each score by the largest
score of its issue (``EvaluatorDiscrete``), so utilities lie in :math:`[0, 1]` when weights
sum to one; ``normalize=False`` keeps the raw scores, as NegMAS's ``Scenario.from_genius_folder``
does. Integer issues (``lowerbound``..``upperbound``) and real issues (discretised on request
on ``real_values`` points) take a linear ``<evaluator>``, ``offset + slope * x`` (GENIUS's
``EvaluatorInteger``/``EvaluatorReal``), used as is. A domain directory holds one domain file
and one file per profile.
"""

from __future__ import annotations

import importlib.resources
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from tradetalks._errors import BargainingError, Problem
from tradetalks.bargaining._space import Issue, OutcomeSpace
from tradetalks.bargaining._utilities import (
    BargainingProblem,
    FloatArray,
    linear_additive_utilities,
)

_OBJECTIVE = {"index": "0", "name": "root", "type": "objective", "etype": "objective"}


@dataclass(frozen=True)
class LinearAdditiveProfile:
    """One party's linear-additive preferences: weights, value scores, reservation, discount.

    ``scored[i]`` is ``True`` when issue ``i`` has a score per value (rescaled by its maximum
    under GENIUS normalisation) and ``False`` when it came from a linear evaluator (used as
    is); empty means every issue is scored.
    """

    name: str
    weights: tuple[float, ...]
    values: tuple[tuple[float, ...], ...]
    reservation: float = 0.0
    discount: float = 1.0
    scored: tuple[bool, ...] = ()

    def utilities(self, space: OutcomeSpace, normalize: bool = True) -> FloatArray:
        """Utility of every outcome; ``normalize`` applies GENIUS's scaling (see module doc)."""
        w = np.asarray(self.weights, dtype=np.float64)
        vals = [np.asarray(v, dtype=np.float64) for v in self.values]
        scored = self.scored or (True,) * len(vals)
        if normalize:
            total = w.sum()
            w = w / total if total > 0 else w
            vals = [
                v / v.max() if sc and v.max() > 0 else v for v, sc in zip(vals, scored, strict=True)
            ]
        return linear_additive_utilities(space, w, vals)


@dataclass(frozen=True)
class GeniusDomain:
    """A domain and its profiles, as read from (or to be written to) GENIUS XML."""

    name: str
    space: OutcomeSpace
    profiles: tuple[LinearAdditiveProfile, ...]

    def problem(self, normalize: bool = True) -> BargainingProblem:
        """The bargaining problem: utilities of every outcome and reservation values."""
        u = np.vstack([p.utilities(self.space, normalize) for p in self.profiles])
        r = np.asarray([p.reservation for p in self.profiles], dtype=np.float64)
        return BargainingProblem(u, r, self.space, tuple(p.name for p in self.profiles))


def bundled_domains() -> list[str]:
    """Names of the GENIUS domains shipped with tradetalks."""
    root = importlib.resources.files("tradetalks.data").joinpath("genius")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _locate(where: str | Path) -> Traversable:
    path = Path(where)
    if path.is_dir():
        return path
    if str(where) in bundled_domains():
        return importlib.resources.files("tradetalks.data").joinpath("genius", str(where))
    known = ", ".join(bundled_domains())
    raise BargainingError(f"{where}: not a directory nor a bundled domain (bundled: {known})")


def _parse(f: Traversable) -> ET.Element:
    try:
        return ET.fromstring(f.read_text(encoding="utf-8"))
    except ET.ParseError as exc:
        raise BargainingError(f"{f.name}: not valid XML", [Problem(f.name, "", str(exc))]) from exc


def _issues(root: ET.Element, source: str) -> list[ET.Element]:
    found = root.findall(".//issue")
    if not found:
        raise BargainingError(f"{source}: no <issue> elements")
    return found


def _bounds(el: ET.Element, name: str, source: str) -> tuple[str, str]:
    lo, hi = el.get("lowerbound"), el.get("upperbound")
    rng = el.find("range")
    if (lo is None or hi is None) and rng is not None:
        lo, hi = rng.get("lowerbound"), rng.get("upperbound")
    if lo is None or hi is None:
        raise BargainingError(f"{source}: issue {name!r} needs lowerbound and upperbound")
    return lo, hi


def _read_issue(el: ET.Element, source: str, real_values: int | None) -> Issue:
    name = el.get("name") or f"issue{el.get('index')}"
    kind = el.get("type") or el.get("etype") or "discrete"
    try:
        if kind == "integer":
            lo, hi = _bounds(el, name, source)
            return Issue.integers(name, int(lo), int(hi))
        if kind == "real":
            lo, hi = _bounds(el, name, source)
            if real_values is None:
                raise BargainingError(
                    f"{source}: issue {name!r} is continuous: pass real_values=N to "
                    "discretise it on N points"
                )
            return Issue.continuous(name, float(lo), float(hi), real_values)
    except ValueError as exc:
        raise BargainingError(f"{source}: issue {name!r}: bad bounds ({exc})") from exc
    if kind != "discrete":
        raise BargainingError(
            f"{source}: issue {name!r} of type {kind!r} is not supported "
            "(discrete, integer and real issues are)"
        )
    values = tuple(item.get("value", "") for item in el.findall("item"))
    if not values:
        raise BargainingError(f"{source}: issue {name!r} has no <item> values")
    return Issue(name, values)


def _evaluate(evaluator: ET.Element, issue: Issue, source: str) -> tuple[float, ...]:
    """Values of a linear ``<evaluator>``: ``offset + slope * x`` on the issue's points."""
    if evaluator.get("ftype") != "linear":
        raise BargainingError(
            f"{source}: issue {issue.name!r}: evaluator ftype {evaluator.get('ftype')!r} "
            "is not supported (linear is)"
        )
    try:
        offset = float(evaluator.get("offset", evaluator.get("parameter0", "0")))
        slope = float(evaluator.get("slope", evaluator.get("parameter1", "1")))
        x = np.asarray([float(v) for v in issue.values])
    except ValueError as exc:
        raise BargainingError(f"{source}: issue {issue.name!r}: not numbers ({exc})") from exc
    return tuple(float(v) for v in offset + slope * x)


def _read_profile(
    root: ET.Element, space: OutcomeSpace, name: str, source: str
) -> LinearAdditiveProfile:
    issue_els = {el.get("name"): el for el in _issues(root, source)}
    index_of = {el.get("index"): el.get("name") for el in issue_els.values()}
    weights_by_name: dict[str, float] = {}
    for w in root.findall(".//weight"):
        issue_name = index_of.get(w.get("index"))
        if issue_name is None:
            raise BargainingError(f"{source}: weight for unknown issue index {w.get('index')}")
        weights_by_name[issue_name] = float(w.get("value", "nan"))
    weights, values, scored = [], [], []
    for issue in space.issues:
        el = issue_els.get(issue.name)
        if el is None:
            raise BargainingError(f"{source}: no scores for issue {issue.name!r}")
        if issue.name not in weights_by_name:
            raise BargainingError(f"{source}: no weight for issue {issue.name!r}")
        weights.append(weights_by_name[issue.name])
        evaluator = el.find("evaluator")
        if evaluator is not None and not el.findall("item"):
            values.append(_evaluate(evaluator, issue, source))
            scored.append(False)
            continue
        scores = {it.get("value"): it.get("evaluation") for it in el.findall("item")}
        row = []
        for v in issue.values:
            s = scores.get(v)
            if s is None:
                raise BargainingError(f"{source}: issue {issue.name!r}: no evaluation for {v!r}")
            row.append(float(s))
        values.append(tuple(row))
        scored.append(True)
    if not all(np.isfinite(x) for x in weights + [v for row in values for v in row]):
        raise BargainingError(f"{source}: weights and evaluations must be finite numbers")
    res_el, disc_el = root.find(".//reservation"), root.find(".//discount_factor")
    reservation = float(res_el.get("value", "0")) if res_el is not None else 0.0
    discount = float(disc_el.get("value", "1")) if disc_el is not None else 1.0
    return LinearAdditiveProfile(
        name, tuple(weights), tuple(values), reservation, discount or 1.0, tuple(scored)
    )


def read_genius_domain(where: str | Path, real_values: int | None = None) -> GeniusDomain:
    """Read a GENIUS domain directory, or a bundled domain by name (e.g. ``"ItexvsCypress"``).

    The domain file is the one whose name contains ``domain`` (else the one without weights);
    every other ``.xml`` file is a profile, named after what follows the domain's prefix.
    Real (continuous) issues need ``real_values``: the number of points to discretise them on.

    Raises
    ------
    BargainingError
        Missing or malformed files, unsupported issue types, values without scores.
    """
    folder = _locate(where)
    files = sorted(
        (f for f in folder.iterdir() if f.name.lower().endswith(".xml")), key=lambda f: f.name
    )
    if not files:
        raise BargainingError(f"{where}: no .xml files")
    parsed = {f.name: _parse(f) for f in files}
    domain_names = [n for n in parsed if "domain" in n.lower()]
    if not domain_names:
        domain_names = [n for n, r in parsed.items() if r.find(".//weight") is None]
    if len(domain_names) != 1:
        raise BargainingError(f"{where}: expected one domain file, found {domain_names or 'none'}")
    dom_file = domain_names[0]
    space = OutcomeSpace(
        tuple(_read_issue(el, dom_file, real_values) for el in _issues(parsed[dom_file], dom_file))
    )
    cut = dom_file.lower().find("domain")
    prefix = dom_file[:cut] if cut >= 0 else ""
    profiles = []
    for n, root in parsed.items():
        if n == dom_file:
            continue
        stem = n[:-4]
        label = stem[len(prefix) :] if prefix and stem.startswith(prefix) else stem
        profiles.append(_read_profile(root, space, label.strip("_-") or stem, n))
    if len(profiles) < 2:
        raise BargainingError(f"{where}: need at least 2 profiles, found {len(profiles)}")
    return GeniusDomain(Path(str(where)).name, space, tuple(profiles))


def _integer_bounds(issue: Issue) -> tuple[int, int] | None:
    """``(low, high)`` if the issue's values are the integers ``low..high``."""
    try:
        ints = [int(v) for v in issue.values]
    except ValueError:
        return None
    ok = [str(v) for v in ints] == list(issue.values)
    ok = ok and ints == list(range(ints[0], ints[-1] + 1))
    return (ints[0], ints[-1]) if ok else None


def _linear_fit(values: tuple[float, ...], issue: Issue) -> tuple[float, float] | None:
    """``(offset, slope)`` if ``values`` are exactly affine in the issue's integer labels."""
    bounds = _integer_bounds(issue)
    if bounds is None:
        return None
    x = np.arange(bounds[0], bounds[1] + 1, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    slope = float(v[1] - v[0]) if v.size > 1 else 0.0
    offset = float(v[0] - slope * x[0])
    return (offset, slope) if np.allclose(offset + slope * x, v, rtol=0, atol=1e-12) else None


def _evaluated_issues(domain: GeniusDomain) -> list[bool]:
    """Issues written as integer issues with linear evaluators (so normalisation round-trips)."""
    out = []
    for k, issue in enumerate(domain.space.issues):
        unscored = [p for p in domain.profiles if p.scored and not p.scored[k]]
        out.append(
            len(unscored) == len(domain.profiles)
            and all(_linear_fit(p.values[k], issue) is not None for p in domain.profiles)
        )
    return out


def _issue_element(parent: ET.Element, k: int, issue: Issue, integer: bool) -> ET.Element:
    kind = "integer" if integer else "discrete"
    attrs = {"etype": kind, "index": str(k + 1), "name": issue.name, "type": kind, "vtype": kind}
    bounds = _integer_bounds(issue)
    if integer and bounds is not None:
        attrs |= {"lowerbound": str(bounds[0]), "upperbound": str(bounds[1])}
    return ET.SubElement(parent, "issue", attrs)


def write_genius_domain(domain: GeniusDomain, folder: str | Path) -> list[Path]:
    """Write ``domain`` as GENIUS XML files in ``folder`` (created); returns the files written.

    Issues whose every profile has a linear evaluator over integer values are written as
    integer issues with ``<evaluator ftype="linear">``; all others as discrete issues.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    integer = _evaluated_issues(domain)
    root = ET.Element("negotiation_template")
    us = ET.SubElement(root, "utility_space", {"number_of_issues": str(len(domain.space.issues))})
    obj = ET.SubElement(us, "objective", _OBJECTIVE)
    for k, issue in enumerate(domain.space.issues):
        el = _issue_element(obj, k, issue, integer[k])
        if not integer[k]:
            for j, v in enumerate(issue.values):
                ET.SubElement(el, "item", {"index": str(j + 1), "value": v})
    path = out / f"{domain.name}_domain.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=False)
    written = [path]
    for prof in domain.profiles:
        root = ET.Element("utility_space")
        ET.SubElement(root, "reservation", {"value": repr(float(prof.reservation))})
        ET.SubElement(root, "discount_factor", {"value": repr(float(prof.discount))})
        obj = ET.SubElement(root, "objective", _OBJECTIVE)
        for k, issue in enumerate(domain.space.issues):
            el = _issue_element(obj, k, issue, integer[k])
            fit = _linear_fit(prof.values[k], issue) if integer[k] else None
            if fit is not None:
                attrs = {"ftype": "linear", "offset": repr(fit[0]), "slope": repr(fit[1])}
                ET.SubElement(el, "evaluator", attrs)
                continue
            for j, (v, s) in enumerate(zip(issue.values, prof.values[k], strict=True)):
                attrs = {"index": str(j + 1), "value": v, "evaluation": repr(float(s))}
                ET.SubElement(el, "item", attrs)
        for k, w in enumerate(prof.weights):
            ET.SubElement(obj, "weight", {"index": str(k + 1), "value": repr(float(w))})
        path = out / f"{domain.name}_{prof.name}.xml"
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=False)
        written.append(path)
    return written
