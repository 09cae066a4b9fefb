"""Loaders and checks for bundled and user trade data (WIOD, gravity panels), as labelled arrays."""
