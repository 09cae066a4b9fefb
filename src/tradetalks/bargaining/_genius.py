"""GENIUS XML domains and linear-additive utility profiles: import and export.

The GENIUS format (Lin, Kraus, Baarslag, Tykhonov, Hindriks and Jonker 2014, "Genius: an
integrated environment for supporting the design of generic automated negotiators",
Computational Intelligence 30(1)), used by the ANAC competitions: a domain file lists the
issues and their values; each profile file gives issue weights, an ``evaluation`` score per
value, a reservation value and a discount factor. GENIUS divides each score by the largest
score of its issue (``EvaluatorDiscrete``), so utilities lie in :math:`[0, 1]` when weights
sum to one; ``normalize=False`` keeps the raw scores, as NegMAS's ``Scenario.from_genius_folder``
does. A domain directory holds one domain file and one file per profile.
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
from tradetalks.bargaining._utilities import BargainingProblem, linear_additive_utilities


@dataclass(frozen=True)
class LinearAdditiveProfile:
    """One party's linear-additive preferences: weights, value scores, reservation, discount."""

    name: str
    weights: tuple[float, ...]
    values: tuple[tuple[float, ...], ...]
    reservation: float = 0.0
    discount: float = 1.0

    def utilities(self, space: OutcomeSpace, normalize: bool = True) -> np.ndarray:
        """Utility of every outcome; ``normalize`` applies GENIUS's scaling (see module doc)."""
        w = np.asarray(self.weights, dtype=np.float64)
        vals = [np.asarray(v, dtype=np.float64) for v in self.values]
        if normalize:
            total = w.sum()
            w = w / total if total > 0 else w
            vals = [v / v.max() if v.max() > 0 else v for v in vals]
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


def _read_space(root: ET.Element, source: str) -> OutcomeSpace:
    issues = []
    for el in _issues(root, source):
        name = el.get("name") or f"issue{el.get('index')}"
        kind = el.get("type") or el.get("etype") or "discrete"
        if kind == "integer":
            lo, hi = el.get("lowerbound"), el.get("upperbound")
            if lo is None or hi is None:
                raise BargainingError(
                    f"{source}: integer issue {name!r} needs lowerbound/upperbound"
                )
            issues.append(Issue.integers(name, int(lo), int(hi)))
            continue
        if kind != "discrete":
            raise BargainingError(
                f"{source}: issue {name!r} of type {kind!r} is not supported "
                "(discrete and integer issues are)"
            )
        values = tuple(item.get("value", "") for item in el.findall("item"))
        if not values:
            raise BargainingError(f"{source}: issue {name!r} has no <item> values")
        issues.append(Issue(name, values))
    return OutcomeSpace(tuple(issues))


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
    weights, values = [], []
    for issue in space.issues:
        el = issue_els.get(issue.name)
        if el is None:
            raise BargainingError(f"{source}: no scores for issue {issue.name!r}")
        if issue.name not in weights_by_name:
            raise BargainingError(f"{source}: no weight for issue {issue.name!r}")
        weights.append(weights_by_name[issue.name])
        scores = {it.get("value"): it.get("evaluation") for it in el.findall("item")}
        row = []
        for v in issue.values:
            s = scores.get(v)
            if s is None:
                raise BargainingError(f"{source}: issue {issue.name!r}: no evaluation for {v!r}")
            row.append(float(s))
        values.append(tuple(row))
    bad = [x for x in weights + [v for row in values for v in row] if not np.isfinite(x)]
    if bad:
        raise BargainingError(f"{source}: weights and evaluations must be numbers")
    res_el, disc_el = root.find(".//reservation"), root.find(".//discount_factor")
    reservation = float(res_el.get("value", "0")) if res_el is not None else 0.0
    discount = float(disc_el.get("value", "1")) if disc_el is not None else 1.0
    return LinearAdditiveProfile(name, tuple(weights), tuple(values), reservation, discount or 1.0)


def read_genius_domain(where: str | Path) -> GeniusDomain:
    """Read a GENIUS domain directory, or a bundled domain by name (e.g. ``"ItexvsCypress"``).

    The domain file is the one whose name contains ``domain`` (else the one without weights);
    every other ``.xml`` file is a profile, named after what follows the domain's prefix.

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
    parsed = {f.name: (f, _parse(f)) for f in files}
    domain_names = [n for n in parsed if "domain" in n.lower()]
    if not domain_names:
        domain_names = [n for n, (_, r) in parsed.items() if r.find(".//weight") is None]
    if len(domain_names) != 1:
        raise BargainingError(f"{where}: expected one domain file, found {domain_names or 'none'}")
    dom_file = domain_names[0]
    space = _read_space(parsed[dom_file][1], dom_file)
    prefix = dom_file[: dom_file.lower().find("domain")] if "domain" in dom_file.lower() else ""
    profiles = []
    for n, (_, root) in parsed.items():
        if n == dom_file:
            continue
        stem = n[:-4]
        label = stem[len(prefix) :] if prefix and stem.startswith(prefix) else stem
        profiles.append(_read_profile(root, space, label.strip("_-") or stem, n))
    if len(profiles) < 2:
        raise BargainingError(f"{where}: need at least 2 profiles, found {len(profiles)}")
    return GeniusDomain(Path(str(where)).name, space, tuple(profiles))


def _issue_element(parent: ET.Element, k: int, issue: Issue) -> ET.Element:
    el = ET.SubElement(
        parent,
        "issue",
        {
            "etype": "discrete",
            "index": str(k + 1),
            "name": issue.name,
            "type": "discrete",
            "vtype": "discrete",
        },
    )
    return el


def write_genius_domain(domain: GeniusDomain, folder: str | Path) -> list[Path]:
    """Write ``domain`` as GENIUS XML files in ``folder`` (created); returns the files written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    root = ET.Element("negotiation_template")
    us = ET.SubElement(root, "utility_space", {"number_of_issues": str(len(domain.space.issues))})
    obj = ET.SubElement(
        us, "objective", {"index": "0", "name": "root", "type": "objective", "etype": "objective"}
    )
    for k, issue in enumerate(domain.space.issues):
        el = _issue_element(obj, k, issue)
        for j, v in enumerate(issue.values):
            ET.SubElement(el, "item", {"index": str(j + 1), "value": v})
    path = out / f"{domain.name}_domain.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=False)
    written.append(path)
    for prof in domain.profiles:
        root = ET.Element("utility_space")
        ET.SubElement(root, "reservation", {"value": repr(float(prof.reservation))})
        ET.SubElement(root, "discount_factor", {"value": repr(float(prof.discount))})
        obj = ET.SubElement(
            root,
            "objective",
            {"index": "0", "name": "root", "type": "objective", "etype": "objective"},
        )
        for k, issue in enumerate(domain.space.issues):
            el = _issue_element(obj, k, issue)
            for j, (v, s) in enumerate(zip(issue.values, prof.values[k], strict=True)):
                ET.SubElement(
                    el, "item", {"index": str(j + 1), "value": v, "evaluation": repr(float(s))}
                )
        for k, w in enumerate(prof.weights):
            ET.SubElement(obj, "weight", {"index": str(k + 1), "value": repr(float(w))})
        path = out / f"{domain.name}_{prof.name}.xml"
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=False)
        written.append(path)
    return written
