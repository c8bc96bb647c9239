"""Document 003: Tsoi et al., "Bridging the Gap" (NeurIPS 2022): soft-set confusion-matrix losses."""

from __future__ import annotations

__all__: list[str] = []
