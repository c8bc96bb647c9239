"""Binary cross-entropy and hinge losses shared by documents 000 and 002."""

from __future__ import annotations

__all__: list[str] = []
