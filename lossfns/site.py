"""Former location of :mod:`lossfns.pipeline.site`, kept so that old imports and ``python -m lossfns.site`` work.

Every attribute of ``lossfns.site`` is that of ``lossfns.pipeline.site`` (importing
the old name gives a DeprecationWarning); ``python -m lossfns.site`` stays the documented command and does not warn.
"""

import warnings

from .pipeline import site as _module

if __name__ == "__main__":
    raise SystemExit(_module.main())
warnings.warn("lossfns.site moved to lossfns.pipeline.site; import it from there", DeprecationWarning,
              stacklevel=2)


def __getattr__(name):
    return getattr(_module, name)
