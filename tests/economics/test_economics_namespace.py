"""``tradetalks.economics`` loads its submodules lazily: every public name still resolves."""

from __future__ import annotations

import subprocess
import sys

import tradetalks.economics as economics


def test_every_public_name_resolves_to_its_submodule() -> None:
    assert set(economics._SUBMODULE) == set(economics.__all__)
    for name in economics.__all__:
        value = getattr(economics, name)
        module = f"tradetalks.economics.{economics._SUBMODULE[name]}"
        assert getattr(sys.modules[module], name) is value
    assert sorted(dir(economics)) == sorted(economics.__all__)


def test_one_name_loads_only_its_submodule() -> None:
    """The warm main job needs the default elasticities, not the solvers (fresh process)."""
    code = (
        "import sys; from tradetalks.economics import default_elasticities; "
        "print(sorted(m for m in sys.modules if m.startswith('tradetalks.economics.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['tradetalks.economics._cp_elasticities']"
