"""What a notebook declares about itself in its metadata (``metadata.lossfns``).

    {"lossfns": {"data": ["data/sonar.csv"],                # files it reads (Make deps)
                 "seedless": "closed-form curves only"}}    # it draws no random numbers

A notebook that draws no random numbers says so with ``seedless`` (the reason, in words): its
``seed`` parameter then changes nothing, and a run or sweep that sets ``seed`` to anything but
its default is refused with that reason (:func:`seedless_reason`). Every other notebook must
give different random draws for different seeds (``tests/test_notebook_seeds.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["notebook_metadata", "seedless_reason", "data_files"]


def notebook_metadata(notebook) -> dict:
    """The notebook's ``metadata.lossfns`` dict (empty when it has none)."""
    nb = json.loads(Path(notebook).read_text())
    meta = nb.get("metadata", {}).get("lossfns", {})
    if not isinstance(meta, dict):
        raise ValueError(f"{notebook}: metadata.lossfns must be a JSON object, got {type(meta).__name__}")
    return meta


def seedless_reason(notebook) -> str | None:
    """Why ``notebook`` has no randomness (its ``metadata.lossfns.seedless``), or None when
    its ``seed`` parameter matters."""
    reason = notebook_metadata(notebook).get("seedless")
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        raise ValueError(f"{notebook}: metadata.lossfns.seedless must be a non-empty string "
                         f"(why the notebook draws no random numbers), got {reason!r}")
    return reason


def data_files(notebook) -> list[str]:
    """The data files the notebook declares (``metadata.lossfns.data``, relative to the repo)."""
    return list(notebook_metadata(notebook).get("data", []))
