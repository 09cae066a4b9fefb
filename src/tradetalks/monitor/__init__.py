"""Monitor agreements: results-oriented goals judged on data."""
