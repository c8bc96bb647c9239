"""The run profiles and the parameters every notebook declares."""

from __future__ import annotations

__all__ = ["PROFILES", "REQUIRED_PARAMETERS", "preset"]

#: ``quick``: seconds per notebook, CI and nbval; ``full``: the papers' protocols.
PROFILES = ("quick", "full")
#: Every notebook's ``parameters`` cell declares these.
REQUIRED_PARAMETERS = ("profile", "seed", "device", "out_dir")


def preset(presets: dict, profile: str, **overrides) -> dict:
    """The settings of ``profile`` from a protocol module's ``{"quick": {...}, "full": {...}}``,
    with the notebook's explicit parameters (those not ``None``) taking precedence.

    >>> preset({"quick": {"n": 2}, "full": {"n": 20}}, "full", n=None)
    {'n': 20}
    >>> preset({"quick": {"n": 2}, "full": {"n": 20}}, "quick", n=5)
    {'n': 5}
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    missing = [p for p in PROFILES if p not in presets]
    if missing:
        raise ValueError(f"presets lack profile(s) {missing}")
    unknown = sorted(set(overrides) - set(presets[profile]))
    if unknown:
        raise ValueError(f"unknown preset key(s) {unknown}; the presets define {sorted(presets[profile])}")
    out = dict(presets[profile])
    out.update({k: v for k, v in overrides.items() if v is not None})
    return out
