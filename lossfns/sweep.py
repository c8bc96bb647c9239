"""Former location of :mod:`lossfns.pipeline.sweep`, kept so that old imports and ``python -m lossfns.sweep`` work.

Every attribute of ``lossfns.sweep`` is that of ``lossfns.pipeline.sweep`` (importing
the old name gives a DeprecationWarning); ``python -m lossfns.sweep`` stays the documented command and does not warn.
"""

import warnings

from .pipeline import sweep as _module

if __name__ == "__main__":
    raise SystemExit(_module.main())
warnings.warn("lossfns.sweep moved to lossfns.pipeline.sweep; import it from there", DeprecationWarning,
              stacklevel=2)


def __getattr__(name):
    return getattr(_module, name)
