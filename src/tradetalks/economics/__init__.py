"""Structural trade models that price tariff and non-tariff changes. Pure numerics, no I/O."""
