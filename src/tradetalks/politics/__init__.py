"""Constituencies' stakes, government utilities, ratification and win-sets (the two-level game)."""
