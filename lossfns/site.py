"""``python -m lossfns.site`` runs :mod:`lossfns.pipeline.site`; importing ``lossfns.site`` still works (deprecated)."""
from ._deprecation import moved_module

__getattr__ = moved_module(__name__, "lossfns.pipeline.site")
if __name__ == "__main__":
    raise SystemExit(__getattr__("main")())
