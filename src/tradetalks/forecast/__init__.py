"""Forecast negotiated outcomes with spatial bargaining models, scored on real decisions."""
