"""The published numbers of the four documents (``data/published_numbers.csv``)."""

from __future__ import annotations

import functools

from .paths import published_numbers_csv

__all__ = ["published"]


@functools.lru_cache(maxsize=1)
def published():
    """The table of published numbers, indexed by ``id`` (a pandas DataFrame)."""
    import pandas as pd
    return pd.read_csv(published_numbers_csv(), dtype={"document": str}).set_index("id")
