"""lossfns: loss functions for binary classification, and a replication suite."""

__version__ = "0.1.0"

from .losses import LOSSES  # noqa: E402,F401
from .losses import *  # noqa: E402,F401,F403
