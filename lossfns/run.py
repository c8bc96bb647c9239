"""Former location of :mod:`lossfns.pipeline.run`, kept so that old imports and ``python -m lossfns.run`` work.

Every attribute of ``lossfns.run`` is that of ``lossfns.pipeline.run`` (importing
the old name gives a DeprecationWarning); ``python -m lossfns.run`` stays the documented command and does not warn.
"""

import warnings

from .pipeline import run as _module

if __name__ == "__main__":
    raise SystemExit(_module.main())
warnings.warn("lossfns.run moved to lossfns.pipeline.run; import it from there", DeprecationWarning,
              stacklevel=2)


def __getattr__(name):
    return getattr(_module, name)
