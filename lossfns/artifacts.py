"""Former location of :mod:`lossfns.pipeline.artifacts` (old imports keep working, with a DeprecationWarning)."""
from ._deprecation import moved_module

__getattr__ = moved_module(__name__, "lossfns.pipeline.artifacts")
