"""Loaders and checks for bundled and user trade data (WIOD, gravity panels), as labelled arrays."""

from tradetalks.data._cp2015 import CP2015_FILES, Cp2015Table, is_cp2015_dir, read_cp2015
from tradetalks.data._gravity import (
    GRAVITY_DATASETS,
    check_gravity_frame,
    load_gravity,
    read_gravity_file,
)
from tradetalks.data._pymrio import PYMRIO_FORMATS, read_pymrio
from tradetalks.data._tables import TABLE_FORMATS, read_table
from tradetalks.data._wiod import (
    FINAL_CATEGORIES,
    INVENTORY_METHODS,
    WIOD_SECTORS,
    WIOD_YEARS,
    WiodTable,
    load_wiod,
    net_inventories,
    read_wiod_table,
)

__all__ = [
    "CP2015_FILES",
    "FINAL_CATEGORIES",
    "GRAVITY_DATASETS",
    "INVENTORY_METHODS",
    "PYMRIO_FORMATS",
    "TABLE_FORMATS",
    "WIOD_SECTORS",
    "WIOD_YEARS",
    "Cp2015Table",
    "WiodTable",
    "check_gravity_frame",
    "is_cp2015_dir",
    "load_gravity",
    "load_wiod",
    "net_inventories",
    "read_cp2015",
    "read_gravity_file",
    "read_pymrio",
    "read_table",
    "read_wiod_table",
]
