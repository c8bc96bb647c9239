"""Document 002: Chadha & Jain, "Primers: Loss Functions" (the catalogue)."""

from __future__ import annotations

__all__: list[str] = []
