"""The notebook contract (README "Notebooks"), checked over every notebook."""

import ast
import json
from pathlib import Path

import pytest

from lossfns.pipeline.profiles import REQUIRED_PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[!.]*.ipynb"))  # not the hidden in-flight copies of a run
# Writing files is the artefact API's job: these calls in a notebook bypass it.
FORBIDDEN = ("savefig(", "to_csv(", "to_markdown(", "open(", "json.dump(", "np.save(")


def cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def src(cell):
    return "".join(cell["source"])


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell(path):
    tagged = [c for c in cells(path) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: expected one cell tagged 'parameters', got {len(tagged)}"
    names = [t.id for n in ast.parse(src(tagged[0])).body if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name)]
    for required in REQUIRED_PARAMETERS:
        assert required in names, f"{path.name}: parameters cell lacks {required!r}"
    assert 'profile = "quick"' in src(tagged[0]), f"{path.name}: default profile must be quick"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_started_right_after_parameters_and_finished(path):
    code = [c for c in cells(path) if "injected-parameters" not in c["metadata"].get("tags", [])]
    idx = next(i for i, c in enumerate(code) if "parameters" in c["metadata"].get("tags", []))
    assert "start_run(globals()" in src(code[idx + 1]), \
        f"{path.name}: the cell after 'parameters' must call start_run(globals(), ...)"
    assert f'"{path.stem}"' in src(code[idx + 1]), f"{path.name}: start_run must name {path.stem}"
    assert src(code[-1]).strip() == "run.finish()", f"{path.name}: last code cell must be run.finish()"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_direct_file_writes(path):
    for c in cells(path):
        for bad in FORBIDDEN:
            assert bad not in src(c), f"{path.name}: '{bad}' in a cell; write through run.save_*"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_quick_outputs(path):
    """nbval passes vacuously on a notebook without outputs: forbid that."""
    nb = json.loads(path.read_text())
    code = cells(path)
    assert all(c.get("execution_count") for c in code), f"{path.name}: has unexecuted cells"
    assert sum(len(c.get("outputs", [])) for c in code) > 0, f"{path.name}: no stored outputs"
    params = nb["metadata"].get("papermill", {}).get("parameters", {})
    assert params.get("profile") == "quick", f"{path.name}: stored outputs are not from the quick profile"
    assert not any(o.get("output_type") == "error" for c in code for o in c.get("outputs", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_metadata_declares_data(path):
    meta = json.loads(path.read_text())["metadata"].get("lossfns")
    assert meta is not None and "data" in meta, f"{path.name}: metadata.lossfns.data missing"
    for f in meta["data"]:
        assert (ROOT / f).exists(), f"{path.name}: declared data file {f} does not exist"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_unknown_parameter_is_an_error(path, capsys):
    from lossfns.pipeline import run
    assert run.main(["execute", str(path), "-p", "no_such_param", "1"]) == 1
    assert "unknown parameter(s) ['no_such_param']" in capsys.readouterr().err
