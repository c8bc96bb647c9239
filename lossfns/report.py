"""``python -m lossfns.report`` runs :mod:`lossfns.pipeline.report`; importing ``lossfns.report`` still works (deprecated)."""
from ._deprecation import moved_module

__getattr__ = moved_module(__name__, "lossfns.pipeline.report")
if __name__ == "__main__":
    raise SystemExit(__getattr__("main")())
