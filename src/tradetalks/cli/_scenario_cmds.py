"""Commands for scenario files: list, show, validate, start a new one."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tradetalks._errors import InputError, Problem, ScenarioError
from tradetalks._inputs import write_text
from tradetalks.cli._common import console, print_json
from tradetalks.scenario import (
    SECTOR_NAMES,
    Deadline,
    Quantity,
    Scenario,
    Stake,
    builtin_scenarios,
    load_scenario,
    notices,
)


def register(app: typer.Typer) -> None:
    """Add the scenario commands to ``app``."""
    app.command("scenarios")(scenarios)
    app.command("show")(show)
    app.command("validate")(validate)
    app.command("init")(init)


def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios")
    table.add_column("name", no_wrap=True, style="bold")
    for column in ("period", "parties", "issues", "threats", "title"):
        table.add_column(column)
    for name in builtin_scenarios():
        s = load_scenario(name)
        table.add_row(
            name,
            s.period,
            " v ".join(p.code for p in s.parties),
            str(len(s.issues)),
            str(len(s.threats)),
            s.title,
        )
    console.print(table)


def show(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario's name or a TOML file.")],
    json: Annotated[bool, typer.Option("--json", help="Print the scenario as JSON.")] = False,
) -> None:
    """Show a scenario: parties, constituencies, issues, threats, every number with its source."""
    s = load_scenario(scenario)
    if json:
        print_json(s.model_dump(mode="json", exclude_none=True))
        return
    _render(s)


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files; print every problem, one per line, and exit 2 if any."""
    problems: list[Problem | str] = []
    for path in files:
        try:
            loaded = load_scenario(path)
        except ScenarioError as e:
            problems.extend(e.problems)
        else:
            console.print(f"[green]ok[/] {path}")
            for note in notices(loaded):
                console.print(f"  [yellow]note:[/] {escape(note)}", highlight=False)
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s)", problems)


_TEMPLATE_ID = "my-negotiation"


def init(
    name: Annotated[str, typer.Argument(help="Id of the new scenario (letters, digits, - and _).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default NAME.toml).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented template scenario to start from."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*", name):
        raise InputError(f"invalid scenario id {name!r}: use letters, digits, '-' and '_'")
    path = output or Path(f"{name}.toml")
    if path.exists() and not force:
        raise InputError(f"{path} exists; choose another --output or pass --force")
    template = resources.files("tradetalks.scenario").joinpath("template.toml")
    text = template.read_text(encoding="utf-8").replace(_TEMPLATE_ID, name)
    write_text(path, text, field="--output")
    shown = escape(str(path))
    console.print(f"wrote {shown}; check it with: tradetalks validate {shown}", highlight=False)


#: Who receives the rent of each quantity instrument (shown beside the issue).
_RENT_OWNER = {
    "quota": "the importer's licence holders",
    "ver": "the exporter",
    "trq": "the importer's quota holders (in-quota margin)",
    "purchase_commitment": "none: the buyer finances an import subsidy",
    "market_share": "none: the buyer finances an import subsidy",
}


def _covered(th: Any) -> Text:
    if not th.covered_by_sector:
        return _num(th.covered_value_musd)
    out = Text()
    for k, (sector, q) in enumerate(th.covered_by_sector.items()):
        out.append(("" if k == 0 else "\n") + f"{sector}: ")
        out.append(_num(q))
    return out


def _num(q: Quantity | None, unit: str = "") -> Text:
    if q is None:
        return Text("—")
    text = Text(f"{q.value:g}{unit}")
    if q.source:
        text.append(f" [{q.source}]", style="cyan")
    elif "value" in q.model_fields_set:
        text.append(" [no source]", style="red")
    else:
        text.append(" (default)", style="dim")
    return text


def _deadline(d: Deadline | None) -> str:
    if d is None:
        return "none"
    parts = [f"round {d.round}" if d.round else "", str(d.date) if d.date else ""]
    return " / ".join(p for p in parts if p) + f" [{d.source or 'no source'}]"


def _render(s: Scenario) -> None:
    # politics loads numpy: only `show` needs it, not `validate`
    from tradetalks.politics import objective_in_words, threat_terms_in_words
    from tradetalks.scenario._outside import outside_in_words

    console.rule(f"[bold]{escape(s.title)}[/] ({escape(s.id)}, {escape(s.period)})")
    for note in notices(s):
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    console.print(" ".join(s.summary.split()), highlight=False)

    if s.facts:
        facts = Table(title="Reported figures", title_justify="left")
        for column in ("figure", "value", "unit"):
            facts.add_column(column)
        for f in s.facts:
            facts.add_row(f.label, _num(f.value), f.unit)
        console.print(facts)

    for p in s.parties:
        t = Table(title=f"{p.name} ({p.code})", title_justify="left", show_lines=False)
        for column in ("", "weight", "veto"):
            t.add_column(column)
        # a cited source id must stay whole (not "[japan-tpp-201…") on an 80-column terminal
        words = [w for c in p.constituencies for w in _num(c.tolerance).plain.split()]
        t.add_column("tolerance", min_width=max(map(len, words), default=0))
        t.add_column("stakes")
        t.add_row(
            f"leader: {p.leader.name}", _num(p.leader.weight), "", "", _stakes(p.leader.stakes)
        )
        for c in p.constituencies:
            t.add_row(
                c.name,
                _num(c.weight),
                "yes" if c.veto else "",
                _num(c.tolerance),
                _stakes(c.stakes),
            )
        console.print(t)
        r = p.ratification
        line = Text(f"  negotiators: {', '.join(p.negotiators) or '—'}; discount ")
        line.append(_num(p.discount))
        line.append(f"; deadline {_deadline(p.deadline)}\n  ratification: threshold ")
        line.append(_num(r.threshold))
        line.append(f", veto players {', '.join(r.veto_players) or 'none'}, leader strength ")
        line.append(_num(r.leader_strength))
        console.print(line)
        console.print("  objective: " + escape(objective_in_words(s)[p.code]), highlight=False)

    issues = Table(title="Issues (* = status quo)", title_justify="left", show_lines=True)
    issues.add_column("issue", no_wrap=True, style="bold")
    issues.add_column("what, who on whom, sectors")
    issues.add_column("options", overflow="fold")
    for i in s.issues:
        options = Text()
        for o in i.options:
            options.append(f"{'*' if o.id == i.status_quo else ' '}{o.id}: ")
            options.append(_num(o.value) if o.value is not None else Text(o.label or "—"))
            if o.in_quota_rate is not None:
                options.append(" in quota at ")
                options.append(_num(o.in_quota_rate))
            options.append("\n")
        sectors = ", ".join(f"{c} {SECTOR_NAMES.get(c, '')}".strip() for c in i.sectors)
        what = f"{i.label}\n{i.instrument} by {i.applied_by} on {i.applied_to}"
        what += f"; {sectors}" if sectors else ""
        what += f"\nunit: {i.unit}" if i.unit else ""
        detail = Text(what)
        if i.instrument == "trq" and i.in_quota_rate and i.over_quota_rate:
            detail.append("\nin-quota rate ")
            detail.append(_num(i.in_quota_rate))
            detail.append(", over-quota rate ")
            detail.append(_num(i.over_quota_rate))
        if i.rent_share is not None or i.rent_owner is not None:
            detail.append("\nrent share ")
            detail.append(_num(i.rent_share) if i.rent_share is not None else Text("0"))
            detail.append(f", held by the {i.rent_owner or 'importer'}")
        rent = _RENT_OWNER.get(i.instrument)
        if rent:
            detail.append(f"\nrent: {rent}")
        issues.add_row(i.id, detail, options)
    console.print(issues)

    if s.threats:
        threats = Table(title="Threats", title_justify="left", show_lines=True)
        for column in ("threat", "instrument", "size", "covers (USD m)", "deadline", "credibility"):
            threats.add_column(column)
        for th in s.threats:
            cred = _num(th.credibility)
            if th.credibility_range:
                cred.append(f" range {list(th.credibility_range)}")
            threats.add_row(
                f"{th.id}\n{th.by} against {th.against}\ncompliance: {th.compliance.description}",
                f"{th.instrument} on {', '.join(th.sectors)}",
                _num(th.size),
                _covered(th),
                _deadline(th.deadline),
                cred,
            )
        console.print(threats)
        for th in s.threats:
            console.print(
                f"  {escape(th.id)}: {escape(threat_terms_in_words(th))}", highlight=False
            )

    for st in s.stages:  # summits before the main talks (scenario/_stages.py)
        d = st.deadline
        when = f" ({d.date}{f' [{d.source}]' if d.source else ''})" if d.date else ""
        latitude = ", ".join(f"{p} {v:g}" for p, v in st.leader_strength.items())
        rounds = (
            f"round {d.round}" if st.rounds == 1 else f"rounds {st.first_round + 1}-{st.end_round}"
        )  # 1-based, as printed
        console.print(escape(
            f"stage {st.id} ({st.kind}): {st.label or ''} — {rounds}{when}"
            + (f"; leader strength {latitude} while it lasts" if latitude else "")
        ), highlight=False)  # fmt: skip
    for said in outside_in_words(s):  # outside options, caps, tables (scenario/_outside.py)
        console.print(escape(said), highlight=False)
    econ = Text(f"Economics: data year {s.economics.year}")
    if s.economics.year_source:
        econ.append(f" [{s.economics.year_source}]", style="cyan")
    if s.economics.table is not None:
        econ.append(f"; table {s.economics.table} ({s.economics.table_format or 'by its layout'})")
    econ.append(f"; inventories: {s.economics.inventories} (docs/instruments.md)")
    for b in s.economics.baseline_tariffs:
        econ.append(f"; baseline tariff {b.importer} on {b.exporter} {','.join(b.sectors)} ")
        econ.append(_num(b.rate))
    for sector, q in s.economics.elasticities.items():
        econ.append(f"; elasticity {sector} ")
        econ.append(_num(q))
    console.print(econ)
    if s.uncertainty:
        console.print(
            "Uncertainty: "
            + "; ".join(f"{u.target} ∈ [{u.low:g}, {u.high:g}]" for u in s.uncertainty),
            highlight=False,
        )

    sources = Table(title="Sources", title_justify="left")
    sources.add_column("id", style="cyan")
    sources.add_column("citation")
    for src in s.sources:
        sources.add_row(src.id, src.citation)
    console.print(sources)


def _stakes(stakes: list[Stake]) -> Text:
    out = Text()
    for k, st in enumerate(stakes):
        if k:
            out.append("\n")
        sign = "+" if st.sign > 0 else "−"
        if st.indicator == "issue_preference":
            scores = ", ".join(f"{k} {v:g}" for k, v in (st.scores or {}).items())
            what = f"prefers on {st.issue}: {scores}"
        else:
            where = st.country or ""
            if st.partner:
                where += f"→{st.partner}" if st.indicator == "exports" else f"/{st.partner}"
            what = f"{st.indicator} {where} {','.join(st.sectors)}".strip()
        out.append(f"{sign} {what} × ")
        out.append(_num(st.weight))
    return out
