"""Notebook execution, artefacts and provenance (lossfns.run, lossfns.artifacts)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lossfns.pipeline import artifacts, run
from tests._notebooks import make_notebook

ROOT = Path(__file__).resolve().parents[1]
PROOF = ROOT / "notebooks" / "000-3_xtreme_margin_loss.ipynb"




# --- atomic writes -----------------------------------------------------------------------

def test_atomic_write_keeps_old_content_on_error(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("good\n")
    with pytest.raises(RuntimeError):
        with artifacts.atomic_write(target) as fh:
            fh.write("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"], "temporary file left behind"


def test_atomic_write_replaces_on_success(tmp_path):
    target = tmp_path / "sub" / "x.json"
    with artifacts.atomic_write(target) as fh:
        fh.write("{}")
    assert target.read_text() == "{}"


# --- parameters --------------------------------------------------------------------------

def test_injected_unknown_parameter_is_detected():
    history = ["import x", 'profile = "quick"\nseed = 0', "# Parameters\nseed = 1\nno_such_param = 1\n"]
    declared, injected = artifacts.declared_and_injected(history)
    assert declared == ["profile", "seed"] and injected == ["seed", "no_such_param"]
    with pytest.raises(artifacts.UnknownParameterError, match="no_such_param"):
        artifacts.check_parameters(declared, injected)


def test_start_run_validates_values(tmp_path):
    ns = {"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)}
    r = artifacts.start_run(dict(ns), "nb")
    assert r.device == "cpu" and r.out_dir == tmp_path.resolve()
    with pytest.raises(ValueError, match="profile must be one of"):
        artifacts.start_run({**ns, "profile": "fast"}, "nb")
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        artifacts.start_run({**ns, "seed": -1}, "nb")
    with pytest.raises(ValueError, match="device must be one of"):
        artifacts.start_run({**ns, "device": "tpu"}, "nb")
    with pytest.raises(ValueError, match="lacks required parameter"):
        artifacts.start_run({"profile": "quick"}, "nb")


def test_cli_rejects_unknown_parameter(capsys):
    assert run.main(["execute", str(PROOF), "-p", "no_such_param", "1"]) == 1
    assert "no_such_param" in capsys.readouterr().err


def test_raw_papermill_unknown_parameter_fails_in_kernel(tmp_path):
    """Papermill alone only warns about unknown parameters: the notebook itself refuses them."""
    import papermill as pm
    with pytest.raises(pm.PapermillExecutionError, match="no_such_param"):
        pm.execute_notebook(str(PROOF), str(tmp_path / "out.ipynb"), kernel_name=run.KERNEL,
                            parameters={"no_such_param": 1, "out_dir": str(tmp_path)},
                            progress_bar=False, cwd=str(PROOF.parent))


# --- artefacts and provenance ------------------------------------------------------------

def test_artefacts_carry_provenance(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    r = artifacts.start_run({"profile": "quick", "seed": 3, "device": "cpu", "out_dir": str(tmp_path)}, "nb")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    png = r.save_figure(fig, "line")
    plt.close(fig)
    r.save_table(pd.DataFrame({"a": [1.0], "b": ["x|y"]}), "t")
    r.record("value", np.float64(0.5))
    r.finish()
    assert png == tmp_path / "figures" / "quick" / "nb" / "line.png"
    meta = json.loads(Image.open(png).info["Description"])
    for key in ("git_commit", "git_dirty", "notebook", "parameters", "seed", "versions", "device", "wall_time_s"):
        assert key in meta
    for f in ["figures/quick/nb/line.png", "results/quick/nb/t.csv", "results/quick/nb/t.md",
              "results/quick/nb/results.json"]:
        side = json.loads((tmp_path / (f + ".provenance.json")).read_text())
        assert side["seed"] == 3 and side["notebook"] == "nb"
    assert "x\\|y" in (tmp_path / "results/quick/nb/t.md").read_text()
    res = json.loads((tmp_path / "results/quick/nb/results.json").read_text())
    assert res["results"] == {"value": 0.5}
    manifest = json.loads((tmp_path / "results/quick/nb/manifest.json").read_text())
    assert "figures/quick/nb/line.png" in manifest["artefacts"]


def test_stale_forgets_runs_with_missing_artefacts(tmp_path):
    r = artifacts.start_run({"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)}, "nb")
    r.save_table(pd.DataFrame({"a": [1]}), "t")
    r.finish()
    assert run.stale("quick", tmp_path) == []
    mark = tmp_path / ".make/stamps/quick/nb.done"  # what make leaves after the run
    mark.parent.mkdir(parents=True)
    mark.touch()
    (tmp_path / "results/quick/nb/t.csv").unlink()
    assert run.stale("quick", tmp_path) == [mark]
    assert not mark.exists() and not (tmp_path / "results/quick/nb/manifest.json").exists()


# --- execution ----------------------------------------------------------------------------

def test_failing_notebook_names_cell_and_keeps_partial(tmp_path):
    nb = make_notebook(tmp_path / "tiny.ipynb", "raise RuntimeError('boom in cell')")
    out = tmp_path / "executed.ipynb"
    out.write_text("previous good output")
    with pytest.raises(run.NotebookError, match=r"tiny.ipynb \(quick\) failed in cell .*boom in cell"):
        run.execute(nb, "quick", {"out_dir": str(tmp_path)}, output=out, progress=False)
    assert out.read_text() == "previous good output", "a failed run must not replace good output"
    failed = ROOT / "build" / "failed" / "tiny.quick.ipynb"
    assert failed.exists() and "boom in cell" in failed.read_text()
    failed.unlink()


def test_same_seed_gives_identical_results(tmp_path):
    outs = []
    for i in range(2):
        d = tmp_path / f"run{i}"
        run.execute(PROOF, "quick", {"out_dir": str(d)}, output=d / "nb.ipynb", progress=False)
        res = d / "results" / "quick" / PROOF.stem
        outs.append({p.name: p.read_bytes() for p in sorted(res.iterdir())
                     if p.suffix in (".json", ".csv", ".md") and "provenance" not in p.name
                     and p.name != "manifest.json"})
    assert outs[0] and outs[0] == outs[1]


def test_data_deps_rules():
    rules = dict(line.split(": ", 1) for line in run.data_deps().splitlines())
    for profile in ("quick", "full"):
        deps = rules[f".make/stamps/{profile}/{PROOF.stem}.done"].split()
        # the modules the notebook imports, transitively, and nothing it does not import
        assert "lossfns/pipeline/artifacts.py" in deps and "lossfns/losses/xtreme_margin.py" in deps
        assert "lossfns/pipeline/sweep.py" not in deps and "lossfns/pipeline/site.py" not in deps


# --- sweeps -------------------------------------------------------------------------------

def test_sweep_runs_grid_and_gathers(tmp_path):
    from lossfns.pipeline import sweep
    summary = sweep.sweep(PROOF, {"n_points": [51, 101]}, name="t", jobs=2, root=tmp_path)
    assert list(summary["status"]) == ["ok", "ok"]
    assert list(summary["n_points"]) == [51, 101]
    assert (tmp_path / "sweeps" / "t" / "summary.csv").exists()
    assert "range_on_grid.max.product" in summary.columns
    with pytest.raises(run.NotebookError, match="no_such_param"):
        sweep.sweep(PROOF, {"no_such_param": [1]}, root=tmp_path)


@pytest.mark.slow  # MkDocs renders every notebook of the checkout (tests/test_site.py: a tiny one)
def test_site_has_index_and_pages(tmp_path):
    pytest.importorskip("mkdocs_jupyter", reason="the site needs the lock's mkdocs-jupyter")
    from lossfns.pipeline import site
    index = site.build(tmp_path, api=False)
    text = index.read_text()
    assert f"{PROOF.stem}.html" in text and "quick" in text
    assert (tmp_path / f"{PROOF.stem}.html").stat().st_size > 1000
    assert (tmp_path / "verdicts.html").is_file() and not (tmp_path / "api").exists()
