"""``python -m lossfns.run`` runs :mod:`lossfns.pipeline.run`; importing ``lossfns.run`` still works (deprecated)."""
from ._deprecation import moved_module

__getattr__ = moved_module(__name__, "lossfns.pipeline.run")
if __name__ == "__main__":
    raise SystemExit(__getattr__("main")())
