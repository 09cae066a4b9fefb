"""Scenario files: a negotiation described in TOML, validated into typed models."""
