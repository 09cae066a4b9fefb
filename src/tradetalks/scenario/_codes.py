"""Country and sector codes a scenario may use: those of the bundled WIOD 2013 release.

Source: World Input-Output Database, 2013 release (Timmer et al. 2015); see
``tradetalks/data/wiod/SOURCES.md`` for the industry names.
"""

from __future__ import annotations

# 40 countries and the rest of the world, spelt as WIOD spells them (ROM = Romania).
WIOD_COUNTRIES: tuple[str, ...] = (
    "AUS", "AUT", "BEL", "BGR", "BRA", "CAN", "CHN", "CYP", "CZE", "DEU", "DNK", "ESP", "EST",
    "FIN", "FRA", "GBR", "GRC", "HUN", "IDN", "IND", "IRL", "ITA", "JPN", "KOR", "LTU", "LUX",
    "LVA", "MEX", "MLT", "NLD", "POL", "PRT", "ROM", "RUS", "RoW", "SVK", "SVN", "SWE", "TUR",
    "TWN", "USA",
)  # fmt: skip

WIOD_SECTORS: tuple[str, ...] = tuple(f"c{k}" for k in range(1, 36))

#: Named groups an issue may apply to or be applied by, as WIOD codes. EU: the 27 members
#: of 2007-2013 (all in WIOD; Croatia joined in 2013 and is in RoW); EU15: the members of
#: 1995-2004; TPP: the signatories of the Trans-Pacific Partnership (2016) that WIOD
#: lists separately (Brunei, Chile, Malaysia, New Zealand, Peru, Singapore and Viet Nam
#: are in RoW, which also holds non-members, so it is left out). Sources: europa.eu
#: (EU member countries), USTR, "TPP Full Text" (2016).
COUNTRY_GROUPS: dict[str, tuple[str, ...]] = {
    "EU": (
        "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
        "GRC", "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROM",
        "SVK", "SVN", "SWE",
    ),
    "EU15": (
        "AUT", "BEL", "DEU", "DNK", "ESP", "FIN", "FRA", "GBR", "GRC", "IRL", "ITA", "LUX",
        "NLD", "PRT", "SWE",
    ),
    "TPP": ("AUS", "CAN", "JPN", "MEX", "USA"),
}  # fmt: skip

SECTOR_NAMES: dict[str, str] = {
    "c1": "Agriculture, hunting, forestry and fishing",
    "c2": "Mining and quarrying",
    "c3": "Food, beverages and tobacco",
    "c4": "Textiles and textile products",
    "c5": "Leather, leather products and footwear",
    "c6": "Wood and products of wood and cork",
    "c7": "Pulp, paper, printing and publishing",
    "c8": "Coke, refined petroleum and nuclear fuel",
    "c9": "Chemicals and chemical products",
    "c10": "Rubber and plastics",
    "c11": "Other non-metallic minerals (glass included)",
    "c12": "Basic metals and fabricated metal",
    "c13": "Machinery n.e.c.",
    "c14": "Electrical and optical equipment (medical, telecom included)",
    "c15": "Transport equipment (motor vehicles and parts included)",
    "c16": "Manufacturing n.e.c.; recycling",
    "c17": "Electricity, gas and water supply",
    "c18": "Construction",
    "c19": "Sale, maintenance and repair of motor vehicles",
    "c20": "Wholesale trade, except motor vehicles",
    "c21": "Retail trade, except motor vehicles",
    "c22": "Hotels and restaurants",
    "c23": "Inland transport",
    "c24": "Water transport",
    "c25": "Air transport",
    "c26": "Other transport activities; travel agencies",
    "c27": "Post and telecommunications",
    "c28": "Financial intermediation (insurance included)",
    "c29": "Real estate activities",
    "c30": "Renting of machinery; other business activities",
    "c31": "Public administration and defence",
    "c32": "Education",
    "c33": "Health and social work",
    "c34": "Other community, social and personal services",
    "c35": "Private households with employed persons",
}
