"""Former location of :mod:`lossfns.pipeline.artifacts`, kept so that old imports work.

Every attribute of ``lossfns.artifacts`` is that of ``lossfns.pipeline.artifacts`` (importing
the old name gives a DeprecationWarning).
"""

import warnings

from .pipeline import artifacts as _module

warnings.warn("lossfns.artifacts moved to lossfns.pipeline.artifacts; import it from there", DeprecationWarning,
              stacklevel=2)


def __getattr__(name):
    return getattr(_module, name)
