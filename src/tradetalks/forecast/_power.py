"""Capabilities from outside the DEU data: Council votes by period, EP and Commission roles.

The DEU table has no power column (``data/deu/SOURCES.md``); studies supply it from the
treaties. We use the weighted votes of each member state in the Council (qualified
majority voting) in force when a proposal was introduced, and give the two other
institutions a share of the Council's total that depends on the legislative procedure.

Council weighted votes (Article 148(2) EEC / 205(2) EC and the Acts of Accession; all
periods are tabulated in CVCE, "Evolution of qualified majority voting in the Council",
cvce.eu, 2016, which we checked every figure against):

* ``EU12`` (1 Jan 1986 – 31 Dec 1994): Article 148(2) EEC as amended by the 1985 Act of
  Accession of Spain and Portugal: DE FR IT UK 10, ES 8, BE EL NL PT 5, DK IE 3, LU 2
  (total 76, qualified majority 54).
* ``EU15`` (1 Jan 1995 – 30 Apr 2004): the 1994 Act of Accession as adjusted by Council
  Decision 95/1/EC (OJ L 1, 1.1.1995): adds AT SE 4, FI 3 (total 87, qualified majority
  62); unchanged by Amsterdam (Article 205(2) EC).
* ``EU25_TRANSITION`` (1 May – 31 Oct 2004): the 2003 Act of Accession (OJ L 236,
  23.9.2003): the EU15 weights plus PL 8, CZ HU 5, EE LV LT SI SK 3, CY MT 2 (total
  124, qualified majority 88).
* ``NICE`` (from 1 Nov 2004): Article 3 of the Protocol on the enlargement of the EU
  annexed to the Treaty of Nice, as amended by Article 12 of the 2003 Act of Accession
  (recited in Council Decision 2004/701/EC, OJ L 319, 20.10.2004):
  DE FR IT UK 29, ES PL 27, NL 13, BE CZ EL HU PT 12, AT SE 10, DK IE LT SK FI 7,
  CY EE LV LU SI 4, MT 3 (EU-25 total 321, qualified majority 232); the 2005 Act of
  Accession adds BG 10 and RO 14 from 1 Jan 2007 (EU-27 total 345, majority 255);
  Article 20 of the 2012 Act of Accession of Croatia (OJ L 112, 24.4.2012) adds HR 7
  from 1 Jul 2013 (EU-28 total 352, majority 260).
* The Lisbon double majority (Article 16(4) TEU, from 1 Nov 2014) has no weights: it
  needs population shares. It is NOT modelled; the Nice weights are used after 2014
  (Protocol 36, Article 3(2), let any member ask for them until 31 Mar 2017).

Institutions (Articles 250–252 EC; European Parliament fact sheet 1.2.3,
"Supranational decision-making procedures"): under co-decision (``COD``) the Parliament
"has the same powers as the Council", so by default its capability equals the
Council's total; under consultation (``CNS``) its opinion does not bind the Council, so
0. The Commission holds the monopoly of initiative under both procedures; no treaty
gives it votes, so its default share (that of the largest member state) is a modelling
choice of ours, exposed as a parameter (:class:`InstitutionRoles`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Period = Literal["EU12", "EU15", "EU25_TRANSITION", "NICE"]

_EU12: dict[str, int] = {
    "de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8,
    "be": 5, "el": 5, "nl": 5, "pt": 5, "dk": 3, "ie": 3, "lu": 2,
}  # fmt: skip
_EU15: dict[str, int] = {**_EU12, "at": 4, "se": 4, "fi": 3}
_EU25_TRANSITION: dict[str, int] = {
    **_EU15, "pl": 8, "cz": 5, "hu": 5,
    "ee": 3, "lv": 3, "lt": 3, "si": 3, "sk": 3, "cy": 2, "mt": 2,
}  # fmt: skip
_NICE_EU25: dict[str, int] = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "se": 10,
    "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7,
    "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3,
}  # fmt: skip
_NICE_BG_RO: dict[str, int] = {"bu": 10, "ro": 14}  # from 1 Jan 2007
_NICE_HR: dict[str, int] = {"cr": 7}  # from 1 Jul 2013

_START_EU15 = date(1995, 1, 1)
_START_TRANSITION = date(2004, 5, 1)
_START_NICE = date(2004, 11, 1)
_START_BG_RO = date(2007, 1, 1)
_START_HR = date(2013, 7, 1)

#: Codes of the two EU institutions in the DEU data.
COMMISSION = "com"
PARLIAMENT = "ep"


def council_period(when: date) -> Period:
    """The Council weighting in force on ``when`` (see the module docstring for sources)."""
    if when < _START_EU15:
        return "EU12"
    if when < _START_TRANSITION:
        return "EU15"
    if when < _START_NICE:
        return "EU25_TRANSITION"
    return "NICE"


def council_weights(when: date) -> dict[str, int]:
    """Weighted votes of each member state in the Council on ``when``.

    Examples
    --------
    >>> sum(council_weights(date(1999, 1, 1)).values())
    87
    >>> sum(council_weights(date(2010, 1, 1)).values())
    345
    """
    period = council_period(when)
    if period == "EU12":
        return dict(_EU12)
    if period == "EU15":
        return dict(_EU15)
    if period == "EU25_TRANSITION":
        return dict(_EU25_TRANSITION)
    weights = dict(_NICE_EU25)
    if when >= _START_BG_RO:
        weights |= _NICE_BG_RO
    if when >= _START_HR:
        weights |= _NICE_HR
    return weights


_ACCESSION_DATES = (_START_TRANSITION, _START_NICE, _START_BG_RO, _START_HR)


def weights_for_issue(when: date | None, members: set[str]) -> dict[str, int]:
    """Council weights for an issue whose positioned member states are ``members``.

    Starts from the period of ``when`` (unknown: 1 Jan 2007) and moves to the first later
    period in which every positioned member state votes: DEU II proposals introduced
    before the 2004 enlargement were decided after it, with the new members voting.
    """
    start = when or _START_BG_RO
    weights = council_weights(start)
    for later in _ACCESSION_DATES:
        if members <= weights.keys():
            break
        if later > start:
            weights = council_weights(later)
    return weights


@dataclass(frozen=True)
class InstitutionRoles:
    """Capabilities of the Commission and the Parliament as shares of the Council's total.

    Parameters
    ----------
    commission_share
        Commission capability / total Council votes. ``None`` (default) = the weight of
        the largest member state (our modelling choice; see the module docstring).
    parliament_share_cod
        Parliament under co-decision; 1.0 = the same power as the Council (Art. 251 EC).
    parliament_share_cns
        Parliament under consultation; 0.0 = its opinion does not bind (Art. 250 EC).
    """

    commission_share: float | None = None
    parliament_share_cod: float = 1.0
    parliament_share_cns: float = 0.0


def eu_capabilities(
    actors: tuple[str, ...],
    has_position: NDArray[np.bool_],
    procedure: tuple[str, ...],
    intro_date: tuple[date | None, ...],
    roles: InstitutionRoles | None = None,
) -> NDArray[np.float64]:
    """Capability of each actor on each issue, in Council votes of the period.

    The period is the one of the introduction date, moved forward when a member state
    that joined later has a position (see :func:`weights_for_issue`). Actors without a
    position get 0; codes that are neither institutions nor member states also get 0.

    Returns
    -------
    ``(n_issues, n_actors)`` non-negative capabilities.
    """
    roles = roles or InstitutionRoles()
    n_issues, n_actors = has_position.shape
    cap = np.zeros((n_issues, n_actors))
    for row in range(n_issues):
        members = {a for a, has in zip(actors, has_position[row], strict=True) if has} - {
            COMMISSION,
            PARLIAMENT,
        }
        weights = weights_for_issue(intro_date[row], members)
        total = float(sum(weights.values()))
        largest = float(max(weights.values()))
        for col, actor in enumerate(actors):
            if not has_position[row, col]:
                continue
            if actor == COMMISSION:
                share = roles.commission_share
                cap[row, col] = largest if share is None else share * total
            elif actor == PARLIAMENT:
                cod = procedure[row].upper() == "COD"
                share_ep = roles.parliament_share_cod if cod else roles.parliament_share_cns
                cap[row, col] = share_ep * total
            else:
                cap[row, col] = weights.get(actor, 0)
    return cap
