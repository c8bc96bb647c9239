"""Progress bars: tqdm when wanted, nothing at all under ``quiet=True``."""

from __future__ import annotations

import warnings


def progress(iterable, *, quiet: bool = False, **kwargs):
    """``tqdm.auto`` over ``iterable`` (a notebook widget or a text bar), or the bare
    iterable when ``quiet``. Without ipywidgets tqdm falls back to a text bar; its
    warning about that (which names a local path) is silenced."""
    if quiet:
        return iterable
    from tqdm import TqdmWarning
    from tqdm.auto import tqdm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        return tqdm(iterable, **kwargs)
