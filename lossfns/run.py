"""``python -m lossfns.run`` runs :mod:`lossfns.pipeline.run` (``reproduce``:
:mod:`lossfns.pipeline.cluster`); importing ``lossfns.run`` still works (deprecated)."""
from ._deprecation import moved_module

__getattr__ = moved_module(__name__, "lossfns.pipeline.run")


def _drop_dead_kernel_echo() -> None:
    """When a run is stopped (Ctrl-C, SIGTERM) the runner shuts the kernel down under nbclient's
    feet: nbclient logs "Kernel died" and asyncio an unretrieved DeadKernelError, as late as
    interpreter exit. Both only echo the stop (a kernel that truly dies is reported by the
    runner's own error), so this command-line process drops them."""
    import logging

    class _Echo(logging.Filter):
        def filter(self, record):
            text = record.getMessage()
            exc = record.exc_info[1] if record.exc_info else None
            return not ("Kernel died" in text or type(exc).__name__ == "DeadKernelError"
                        or ("Task exception was never retrieved" in text and "DeadKernelError" in str(
                            getattr(record, "args", "")) + repr(getattr(record, "msg", ""))))

    for name in ("asyncio", "traitlets", "papermill", "nbclient"):
        logging.getLogger(name).addFilter(_Echo())


if __name__ == "__main__":
    import sys
    _drop_dead_kernel_echo()
    if sys.argv[1:2] == ["reproduce"]:  # python -m lossfns.run reproduce [--scheduler ADDR] ...
        from .pipeline.cluster import main as reproduce_main
        raise SystemExit(reproduce_main(sys.argv[2:]))
    raise SystemExit(__getattr__("main")())
