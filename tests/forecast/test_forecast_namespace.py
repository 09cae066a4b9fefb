"""The curated public namespace of tradetalks.forecast is pinned."""

import tradetalks.forecast as forecast


def test_forecast_exports_are_pinned() -> None:
    assert set(forecast.__all__) == {
        "DEU_ACTORS", "CompromiseModel", "ContractError", "Evaluation", "ExchangeModel",
        "ExpectedUtilityModel", "InstitutionRoles", "IssueSet", "MeanModel", "MedianModel",
        "ModelScore", "NashBargainingModel", "NotFittedError", "SpatialModel", "StackedModel",
        "bundled_deu_path", "check_model", "council_weights", "cross_val_predict",
        "default_models", "eu_capabilities", "evaluate", "load_deu", "load_issues",
        "make_issue_set", "plot_evaluation", "proposal_folds",
        # part 4: trade scenarios
        "ScenarioForecast", "ScenarioView", "TalksDistribution", "VETO_CAPABILITY_FACTOR",
        "forecast_scenario", "government_capability", "ideal_positions", "issue_stakes",
        "option_scale", "relative_salience", "scenario_view", "simulate_talks",
        "spatial_forecasts", "threat_boost", "value_added_weights",
    }  # fmt: skip
    for name in forecast.__all__:
        assert hasattr(forecast, name)


def test_errors_derive_from_forecast_error() -> None:
    from tradetalks import ForecastError

    assert issubclass(forecast.NotFittedError, ForecastError)
    assert issubclass(forecast.ContractError, ForecastError)


def test_every_default_model_is_a_spatial_model() -> None:
    for model in forecast.default_models().values():
        assert isinstance(model, forecast.SpatialModel)


def test_forecast_imports_neither_the_cli_nor_peers() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tradetalks.forecast; "
        "bad = [m for m in sys.modules if m.startswith(('tradetalks.cli', 'negmas', "
        "'gegravity', 'gme'))]; print(bad); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
