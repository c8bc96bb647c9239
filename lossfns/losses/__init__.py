"""Functional losses of the four documents; each runs on NumPy, torch and Keras arrays."""

from ._registry import LOSSES, LossSpec, register  # noqa: F401
from .classification import *  # noqa: F401,F403
from .xtreme_margin import *  # noqa: F401,F403
from .dynamics import *  # noqa: F401,F403
from .primer import *  # noqa: F401,F403
from .softset import *  # noqa: F401,F403
