"""The run store: every run saved to a DuckDB file."""
