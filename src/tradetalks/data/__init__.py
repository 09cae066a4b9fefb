"""Loaders and checks for bundled and user trade data (WIOD, gravity panels), as labelled arrays."""

from tradetalks.data._wiod import (
    FINAL_CATEGORIES,
    WIOD_SECTORS,
    WIOD_YEARS,
    WiodTable,
    load_wiod,
    net_inventories,
    read_wiod_table,
)

__all__ = [
    "FINAL_CATEGORIES",
    "WIOD_SECTORS",
    "WIOD_YEARS",
    "WiodTable",
    "load_wiod",
    "net_inventories",
    "read_wiod_table",
]
