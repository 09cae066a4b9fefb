"""The curated public namespace is pinned: adding or removing a name is a deliberate change."""

import tradetalks


def test_top_level_exports_are_pinned() -> None:
    assert set(tradetalks.__all__) == {
        "BargainingError",
        "ConvergenceError",
        "DataError",
        "ForecastError",
        "InputError",
        "MonitorError",
        "Problem",
        "ScenarioError",
        "StoreError",
        "TradetalksError",
        "__version__",
    }


def test_every_error_shares_one_base() -> None:
    for name in tradetalks.__all__:
        obj = getattr(tradetalks, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, tradetalks.TradetalksError)
