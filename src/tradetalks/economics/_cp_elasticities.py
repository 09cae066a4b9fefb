"""Default sectoral trade elasticities θ^j for the 35 WIOD industries.

Goods sectors take the estimates of Caliendo and Parro (2015, Review of Economic
Studies 82(1), Table 1, preferred "99% sample" column), mapped to the WIOD 2013
industries (NACE rev. 1.1). Where one WIOD industry spans several CP sectors the
simple mean of their estimates is used; where CP split what WIOD joins, the
mapping is stated per line.

Services (c17..c35): CP estimate no elasticity for them (they are non-traded in
their NAFTA application). We use θ = 5, the central trade elasticity of Costinot and
Rodríguez-Clare (2014, Handbook of International Economics vol. 4, ch. 4) — services
trade is small in WIOD, so the choice matters little for goods-tariff
counterfactuals; override it for services scenarios.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

#: θ for services (Costinot and Rodríguez-Clare 2014, baseline θ = 5).
SERVICES_THETA: Final = 5.0

_CP2015: Final = MappingProxyType(
    {
        # CP (2015) Table 1, 99% sample.
        "c1": 8.11,  # Agriculture
        "c2": 15.72,  # Mining
        "c3": 2.55,  # Food
        "c4": 5.56,  # Textile
        "c5": 5.56,  # Leather and footwear: CP's Textile sector contains it
        "c6": 10.83,  # Wood
        "c7": 9.07,  # Paper
        "c8": 51.08,  # Petroleum
        "c9": 4.75,  # Chemicals
        "c10": 1.66,  # Plastic
        "c11": 2.76,  # Minerals
        "c12": (7.99 + 4.30) / 2,  # Basic metals 7.99 and Metal products 4.30
        "c13": 1.52,  # Machinery n.e.c.
        # Office 12.79, Electrical 10.60, Communication 7.07, Medical 8.98
        "c14": (12.79 + 10.60 + 7.07 + 8.98) / 4,
        # Auto 1.01 (Other Transport, 0.37, is the smaller part of WIOD c15 in
        # US–Japan trade, which is mostly motor vehicles and parts)
        "c15": 1.01,
        "c16": 5.00,  # Other
    }
)


def default_elasticities(sectors: tuple[str, ...]) -> tuple[float, ...]:
    """θ^j for WIOD sector codes: Caliendo–Parro (2015) for goods, 5 for services."""
    return tuple(_CP2015.get(code, SERVICES_THETA) for code in sectors)
