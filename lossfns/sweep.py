"""``python -m lossfns.sweep`` runs :mod:`lossfns.pipeline.sweep`; importing ``lossfns.sweep`` still works (deprecated)."""
from ._deprecation import moved_module

__getattr__ = moved_module(__name__, "lossfns.pipeline.sweep")
if __name__ == "__main__":
    raise SystemExit(__getattr__("main")())
