"""Built-in scenarios (TOML package data)."""
