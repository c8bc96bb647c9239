"""The published numbers (``data/published_numbers.csv``) and claims (``data/claims.csv``) of the documents."""

from __future__ import annotations

import functools

from .paths import claims_csv, published_numbers_csv

__all__ = ["published", "claims", "COMPARE"]

#: How a published number is compared: its value, its log10 (a strength on a grid), or not at
#: all (the paper does not define the quantity; see the ambiguity register).
COMPARE = ("value", "log10", "undefined")


@functools.lru_cache(maxsize=1)
def published():
    """The table of published numbers, indexed by ``id`` (a pandas DataFrame)."""
    import pandas as pd
    return pd.read_csv(published_numbers_csv(), dtype={"document": str}).set_index("id")


@functools.lru_cache(maxsize=1)
def claims():
    """The claims of the documents, indexed by ``id``: what each claims and the test used."""
    import pandas as pd
    return pd.read_csv(claims_csv(), dtype={"document": str}).set_index("id")
