"""Hardening of the notebook runs (issue 14): readable artefacts, quiet logs, typed parameters,
clean interrupts (lossfns.pipeline.run, lossfns.pipeline.artifacts)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path


import pytest

from lossfns.pipeline import artifacts, run
from tests import _notebooks

ROOT = Path(__file__).resolve().parents[1]
PROOF = ROOT / "notebooks" / "000-3_xtreme_margin_loss.ipynb"
PARAMETERS = ('profile = "quick"\nseed = 0\ndevice = "cpu"\nout_dir = None\n'
              'n_points = None  # grid size; None: 201 (quick) or 2001 (full)\n'
              'lam = 2.0\nlams = [1.0, 2.0]\nname = "x"\nflag = True\nalt = 1  # None: skip\n')
# What must not reach the terminal of `make quick` / `make reproduce`.
NOISE = ("without encryption", "[IPKernelApp]", "KeyboardInterrupt caught", "absl::InitializeLog",
         "oneDNN custom operations", "cpu_feature_guard", "This TensorFlow binary")


def make_notebook(path: Path, body: str) -> Path:
    return _notebooks.make_notebook(path, body, PARAMETERS)


def cli(*args, **kwargs) -> subprocess.Popen:
    """``python -m lossfns.run ...`` as `make` runs it, but with TensorFlow's logging variables
    unset: the runner itself must keep the kernel quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    return subprocess.Popen([sys.executable, "-m", "lossfns.run", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: os.umask(0o022), **kwargs)


# --- item 4: artefacts others can read -----------------------------------------------------

@pytest.mark.parametrize("umask,expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_atomic_write_gives_ordinary_permissions(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        with artifacts.atomic_write(tmp_path / "table.csv") as fh:
            fh.write("a\n1\n")
        with artifacts.atomic_write(tmp_path / "fig.png", "wb") as fh:
            fh.write(b"\x89PNG")
        assert stat.S_IMODE(os.stat(tmp_path / "table.csv").st_mode) == expected
        assert stat.S_IMODE(os.stat(tmp_path / "fig.png").st_mode) == expected
        (tmp_path / "table.csv").chmod(0o600)  # replacing a file gives the new one the same rule
        with artifacts.atomic_write(tmp_path / "table.csv") as fh:
            fh.write("a\n2\n")
        assert stat.S_IMODE(os.stat(tmp_path / "table.csv").st_mode) == expected
    finally:
        os.umask(old)


def test_run_artefacts_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        r = artifacts.start_run({"profile": "quick", "seed": 0, "device": "cpu",
                                 "out_dir": str(tmp_path)}, "nb")
        import pandas as pd
        r.save_table(pd.DataFrame({"a": [1]}), "t")
        r.finish()
    finally:
        os.umask(old)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in files), \
        {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files}


# --- item 6: parameters of the wrong type are refused before the run ------------------------

@pytest.mark.parametrize("default,help_,good,bad", [
    ("0", "", [1, -3], [1.5, "1", True, None, [1]]),
    ("2.0", "", [1, 2.5, -1e-3], ["2", True, None, [2.0]]),
    ("[1.0, 2.0]", "", [[], [1, "a"]], [(1, 2), "1,2", 1, None]),
    ('"auto"', "", ["cuda", ""], [1, None, ["cpu"]]),
    ("True", "", [False], [1, 0, "True", None]),
    ("None", "the repository root", [None, 1, "x", [1], 2.5], []),
    ("None", "grid size; None: 201 (quick) or 2001 (full)", [None, 501], ["abc", 5.5, True]),
    ("None", "None: [0.1, 10] (quick) / 13 points", [None, [1, 2]], [1.0, "x"]),
    ("None", "None: 0.3", [None, 0.25, 1], ["0.3"]),
    ("1", "second reading; None: skip", [None, 32], [1.5]),
    ("pt.RATIO_PAIRS", "", [[1], "x", None], []),  # an expression: not checked
])
def test_types_declared_by_defaults(default, help_, good, bad):
    specs = {"p": {"default": default, "help": help_, "inferred_type_name": "None"}}
    for value in good:
        assert run.check_types(specs, {"p": value}) == [], value
    for value in bad:
        (msg,) = run.check_types(specs, {"p": value})
        assert msg.startswith("parameter 'p' must be ") and f"got {type(value).__name__}" in msg


def test_annotation_declares_the_type():
    specs = {"n": {"default": "None", "help": "", "inferred_type_name": "int | None"}}
    assert run.check_types(specs, {"n": 3}) == [] and run.check_types(specs, {"n": None}) == []
    assert run.check_types(specs, {"n": "3"})


def test_cli_refuses_wrong_type_before_any_kernel_starts(tmp_path, capsys):
    start = time.monotonic()
    assert run.main(["execute", str(PROOF), "-p", "n_points", '"abc"',
                     "--output", str(tmp_path / "out.ipynb")]) == 1
    err = capsys.readouterr().err
    assert "parameter 'n_points' must be int or None" in err and "got str 'abc'" in err
    assert "201 (quick) or 2001 (full)" in err  # says what the None default stands for
    assert list(tmp_path.iterdir()) == [], "nothing may be written for a refused run"
    assert time.monotonic() - start < 20, "refused only after starting a kernel?"
    assert run.main(["execute", str(PROOF), "-p", "lambdas", "5"]) == 1
    assert "parameter 'lambdas' must be list (its default is [1.0, 2.0, 10.0, 100.0]), got int 5" \
        in capsys.readouterr().err


def test_cli_accepts_int_for_float_and_none_for_documented_none():
    specs = run.parameter_specs(PROOF)
    assert run.check_types(specs, {"n_points": 501, "lambdas": [1, 2.5], "seed": 3,
                                   "out_dir": "/tmp/x", "device": "cuda"}) == []


def test_start_run_refuses_injected_value_of_wrong_type(tmp_path):
    """Raw papermill (no lossfns.run in between): the notebook's start_run checks the types."""
    injected = '# Parameters\nn_points = "abc"\nout_dir = "%s"\n' % tmp_path
    ns = {"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path), "lam": 2.0,
          "n_points": "abc", "In": ["", "import x", PARAMETERS, injected]}
    with pytest.raises(TypeError, match=r"parameter 'n_points' must be int or None .* got str 'abc'"):
        artifacts.start_run(ns, "tiny")
    ns.update(n_points=501, In=["", "import x", PARAMETERS, '# Parameters\nn_points = 501\n'])
    assert artifacts.start_run(ns, "tiny").params["n_points"] == 501


# --- item 5: quiet logs ---------------------------------------------------------------------

@pytest.mark.slow
def test_execute_prints_no_kernel_or_tensorflow_chatter(tmp_path):
    nb = make_notebook(tmp_path / "tiny.ipynb", "import tensorflow as tf\n"
                       "print(float(tf.reduce_sum(tf.constant([1.0, 2.0]))))")
    out = tmp_path / "out" / "tiny.ipynb"
    proc = cli("execute", str(nb), "-p", "out_dir", repr(str(tmp_path)), "--output", str(out))
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert stdout.strip() == f"executed {nb} (quick) -> {out}", stdout
    for noise in NOISE:
        assert noise not in stdout + stderr, f"{noise!r} in the output:\n{stderr}"
    assert stderr == "", stderr
    assert "3.0" in out.read_text(), "the cell ran (and TensorFlow loaded)"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644, "the executed notebook is for others too"


# --- item 6: interrupts ---------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    kids = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat_file.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the kernel process through /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_run_discards_its_staged_artefacts(tmp_path, sig):
    started = tmp_path / "started"
    nb = make_notebook(tmp_path / "slow.ipynb", "import pathlib, time\n"
                       f"pathlib.Path({str(started)!r}).touch()\ntime.sleep(300)")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "slow.ipynb"
    out.write_text("previous good output")
    proc = cli("execute", str(nb), "--profile", "full", "-p", "out_dir", repr(str(tmp_path)),
               "--output", str(out), start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the slow cell never started"
            time.sleep(0.2)
        staging = tmp_path / "build" / "staging"
        assert list(staging.glob("full-slow-*/tree")), "expected an in-flight staging folder"
        kernels = _children(proc.pid)
        assert kernels, "expected a kernel process"
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + sig, (proc.returncode, stderr)
    assert f"interrupted by {sig.name}" in stderr and "staged artefacts were discarded" in stderr
    assert "Traceback" not in stderr and "[IPKernelApp]" not in stderr, stderr
    assert [p.name for p in out_dir.iterdir()] == ["slow.ipynb"], list(out_dir.iterdir())
    assert not list(staging.iterdir()), list(staging.iterdir())
    assert out.read_text() == "previous good output"
    assert not (ROOT / "build" / "failed" / "slow.full.ipynb").exists()
    deadline = time.monotonic() + 15
    while any(_alive(k) for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(k) for k in kernels), "the kernel outlived the interrupted run"
