"""Document 001: Phuong & Zung, "On the dynamics of loss functions"."""

from __future__ import annotations

__all__: list[str] = []
