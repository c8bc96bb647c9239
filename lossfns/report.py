"""Former location of :mod:`lossfns.pipeline.report`, kept so that old imports and ``python -m lossfns.report`` work.

Every attribute of ``lossfns.report`` is that of ``lossfns.pipeline.report`` (importing
the old name gives a DeprecationWarning); ``python -m lossfns.report`` stays the documented command and does not warn.
"""

import warnings

from .pipeline import report as _module

if __name__ == "__main__":
    raise SystemExit(_module.main())
warnings.warn("lossfns.report moved to lossfns.pipeline.report; import it from there", DeprecationWarning,
              stacklevel=2)


def __getattr__(name):
    return getattr(_module, name)
