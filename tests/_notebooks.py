"""A tiny notebook that follows the suite's contract, for pipeline tests."""

from pathlib import Path

import nbformat

from lossfns.pipeline import run

REQUIRED = 'profile = "quick"\nseed = 0\ndevice = "cpu"\nout_dir = None'


def make_notebook(path: Path, body: str, parameters: str = REQUIRED, name: str = "tiny") -> Path:
    """``path``: import, a ``parameters`` cell, ``start_run``, ``body``, ``run.finish()``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from lossfns.pipeline.artifacts import start_run"),
                nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(f'run = start_run(globals(), "{name}")'),
                nbformat.v4.new_code_cell(body),
                nbformat.v4.new_code_cell("run.finish()")]
    nb.metadata["kernelspec"] = {"name": run.KERNEL, "display_name": "lossfns", "language": "python"}
    nbformat.write(nb, path)
    return path
