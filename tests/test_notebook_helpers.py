"""Helpers that keep the document-000 notebooks thin: presets per notebook
(protocols.PRESETS), the verdict table of a run (NotebookRun.verdict_table), the paired
Keras-vs-torch interval (doc000.training.agreement_summary), the Sec. 9 numbers
(protocols.boundary_values, loss_range_on_grid, convexity_on_grid) and the figures
(lossfns.experiments.doc000.plots)."""

import ast
import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from lossfns import xtreme_margin  # noqa: E402
from lossfns.experiments.doc000 import plots, protocols  # noqa: E402
from lossfns.experiments.doc000 import training as pt  # noqa: E402
from lossfns.experiments.doc000.protocols import PRESETS  # noqa: E402
from lossfns.pipeline.artifacts import NotebookRun  # noqa: E402
from lossfns.pipeline.profiles import PROFILES, preset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("000-*.ipynb"))
E = math.e


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _parameters(path):
    """Names and default values of a notebook's ``parameters`` cell."""
    cells = json.loads(path.read_text())["cells"]
    cell = next(c for c in cells if "parameters" in c["metadata"].get("tags", []))
    out = {}
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                out[t.id] = ast.literal_eval(node.value)
    return out


def _code(path):
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                     if c["cell_type"] == "code")


# --- presets -------------------------------------------------------------------------------

def test_every_000_notebook_has_presets_and_no_more():
    assert NOTEBOOKS
    assert sorted(PRESETS) == sorted(p.stem for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_presets_match_the_notebook_parameters(path):
    presets = PRESETS[path.stem]
    assert sorted(presets) == sorted(PROFILES)
    assert presets["quick"].keys() == presets["full"].keys()
    params = _parameters(path)
    # every preset key is a parameter whose default (None) means "the profile's value" ...
    for key in presets["quick"]:
        assert key in params and params[key] is None, f"{path.stem}: {key}"
    # ... and every such parameter has a preset (out_dir: None means the repository root)
    none_params = {k for k, v in params.items() if v is None} - {"out_dir"}
    assert none_params == set(presets["quick"])
    assert f'preset(PRESETS["{path.stem}"], profile' in _code(path)


def test_preset_values_and_explicit_overrides():
    p = PRESETS["000-8_cv_tables"]
    assert preset(p, "quick", n_repeats=None, epochs=None) == {
        "n_repeats": 1, "epochs": 20, "xm_batch1_epochs": 3, "keras_folds": 4, "keras_epochs": 20}
    full = preset(p, "full", epochs=7, n_repeats=None)
    assert full["epochs"] == 7 and full["n_repeats"] == 20 and full["keras_folds"] == 20
    with pytest.raises(ValueError, match="unknown preset key"):
        preset(p, "quick", n_seeds=3)


def test_preset_values_of_the_other_notebooks():
    lam = preset(PRESETS["000-8b_lambda_tuning"], "full")["lambdas"]
    assert len(lam) == 13 and lam[0] == pytest.approx(0.1) and lam[-1] == pytest.approx(1000.0)
    assert lam[6] == 10.0  # 10 ** (3 / 3)
    q12 = preset(PRESETS["000-12_subgradient"], "quick")
    assert q12["alt_batch_size"] is None and q12["test_fraction"] == 0.3
    assert preset(PRESETS["000-12_subgradient"], "full")["alt_batch_size"] == 1
    # an explicit alt_batch_size wins over the quick profile's "skip"
    assert preset(PRESETS["000-12_subgradient"], "quick", alt_batch_size=1)["alt_batch_size"] == 1
    q15 = preset(PRESETS["000-15_decision_boundaries"], "quick")
    assert q15["ratio_pairs"] == pt.RATIO_PAIRS and q15["grid_size"] == 81 and q15["n_splits"] == 5
    assert preset(PRESETS["000-3_xtreme_margin_loss"], "full") == {"n_points": 2001}
    assert preset(PRESETS["000-17_precision_recall_auc"], "full") == {"n_seeds": 20, "epochs": 50}


def test_training_module_reexports_the_constants():
    assert pt.CURVES_TEST_FRACTION is protocols.CURVES_TEST_FRACTION == 0.3
    assert pt.BOUNDARY_TEST_FRACTION is protocols.BOUNDARY_TEST_FRACTION == 0.3
    assert pt.RATIO_PAIRS is protocols.RATIO_PAIRS


# --- verdict table -------------------------------------------------------------------------

ROWS = [("XM wins", "supported", "acc 0.9 vs 0.8"), ("Hinge |y - t| bound", "not supported", "gap 0.1")]


def _run(tmp_path, profile="quick"):
    return NotebookRun("nb", {}, profile, 0, "cpu", tmp_path.resolve())


def test_verdict_table_quick_adds_the_note_saves_and_records(tmp_path):
    r = _run(tmp_path)
    v = r.verdict_table(ROWS)
    assert list(v.columns) == ["claim", "verdict", "evidence"]
    assert v["verdict"].tolist() == ["supported (quick profile: indicative only)",
                                     "not supported (quick profile: indicative only)"]
    assert r.results["verdicts"] is v
    d = tmp_path / "results/quick/nb"
    assert (d / "verdicts.csv").read_text() == (
        "claim,verdict,evidence\n"
        "XM wins,supported (quick profile: indicative only),acc 0.9 vs 0.8\n"
        "Hinge |y - t| bound,not supported (quick profile: indicative only),gap 0.1\n")
    md = (d / "verdicts.md").read_text()
    assert "Hinge \\|y - t\\| bound" in md and md.startswith("| claim")
    assert (d / "verdicts.csv.provenance.json").exists()
    r.finish()
    res = json.loads((d / "results.json").read_text())["results"]
    assert res["verdicts"][1] == {"claim": "Hinge |y - t| bound",
                                  "verdict": "not supported (quick profile: indicative only)",
                                  "evidence": "gap 0.1"}


def test_verdict_table_writes_what_the_inline_block_wrote(tmp_path):
    """Byte for byte the files and results.json of the block the notebooks used to repeat."""
    new = _run(tmp_path / "new")
    new.verdict_table(ROWS)
    new.finish()
    old = _run(tmp_path / "old")
    verdicts = pd.DataFrame(ROWS, columns=["claim", "verdict", "evidence"])
    verdicts["verdict"] = verdicts["verdict"] + " (quick profile: indicative only)"
    old.save_table(verdicts, "verdicts")
    old.record("verdicts", verdicts)
    old.finish()
    for f in ("verdicts.csv", "verdicts.md", "results.json"):
        a = (tmp_path / "new/results/quick/nb" / f).read_bytes()
        assert a == (tmp_path / "old/results/quick/nb" / f).read_bytes(), f


def test_verdict_table_full_profile_and_quick_note_off(tmp_path):
    full = _run(tmp_path / "f", "full").verdict_table(ROWS)
    assert full["verdict"].tolist() == ["supported", "not supported"]
    exact = _run(tmp_path / "q").verdict_table(ROWS, quick_note=False)
    assert exact["verdict"].tolist() == ["supported", "not supported"]


def test_verdict_table_from_a_dataframe_name_and_caption(tmp_path):
    r = _run(tmp_path)
    df = pd.DataFrame(ROWS[:1], columns=["claim", "verdict", "evidence"])
    v = r.verdict_table(df, "claims_b", caption="Batch size 1")
    assert df["verdict"].tolist() == ["supported"], "the input must not change"
    assert v["verdict"].tolist() == ["supported (quick profile: indicative only)"]
    assert "claims_b" in r.results and "verdicts" not in r.results
    md = (tmp_path / "results/quick/nb/claims_b.md").read_text()
    assert md.startswith("Batch size 1\n\n| claim")


def test_verdict_table_rejects_malformed_rows(tmp_path):
    r = _run(tmp_path)
    with pytest.raises(ValueError, match=r"\(claim, verdict, evidence\)"):
        r.verdict_table([("claim", "supported")])
    with pytest.raises(ValueError, match="lacks column"):
        r.verdict_table(pd.DataFrame({"claim": ["c"], "verdict": ["supported"]}))


# --- statistics ----------------------------------------------------------------------------

def test_agreement_summary_by_hand():
    agree = pd.DataFrame({"repeat": [0, 0, 1], "fold": [0, 1, 0],
                          "keras": [0.8, 0.9, 0.7], "torch": [0.85, 0.9, 0.8]})
    s = pt.agreement_summary(agree)
    se = 0.05 / math.sqrt(3)  # differences 0.05, 0, 0.1: sd 0.05
    assert s["folds"] == 3
    assert s["keras_mean"] == pytest.approx(0.8) and s["torch_mean"] == pytest.approx(0.85)
    assert s["mean_diff"] == pytest.approx(0.05)
    assert s["ci95"] == pytest.approx([0.05 - 1.96 * se, 0.05 + 1.96 * se])
    # exactly the numbers of the inline computation it replaces
    diff = agree["torch"] - agree["keras"]
    se_old = diff.std(ddof=1) / np.sqrt(len(diff))
    assert s["mean_diff"] == diff.mean()
    assert s["ci95"] == [diff.mean() - 1.96 * se_old, diff.mean() + 1.96 * se_old]


def test_agreement_summary_one_fold_and_bad_input():
    s = pt.agreement_summary(pd.DataFrame({"keras": [0.5], "torch": [0.75]}, index=[7]))
    assert s["mean_diff"] == 0.25 and all(math.isnan(v) for v in s["ci95"])
    with pytest.raises(ValueError, match="lacks column"):
        pt.agreement_summary(pd.DataFrame({"keras": [0.5]}))


def test_published_key():
    assert protocols.published_key("xm(1,50)") == "xm_1_50"
    assert protocols.published_key("bce") == "bce"
    assert protocols.published_key("hinge") == "hinge"


def test_xm_curve_is_the_package_loss():
    y = np.linspace(0, 1, 11)
    np.testing.assert_array_equal(protocols.xm_curve(y, 1, 2.0, "exponential"),
                                  xtreme_margin(y, np.ones(11), lam1=2.0, lam2=2.0,
                                                s_reading="exponential", reduction="none"))


def test_boundary_values_product_reading():
    b = protocols.boundary_values(["product"]).set_index("t")
    # wrong side at the boundary: e|t - y| = e/2; correct side: 1/(1 + (2y - 1)^2) -> 1
    assert b.loc[1, "L wrong side at boundary"] == pytest.approx(E / 2, abs=1e-8)
    assert b.loc[1, "L correct side at boundary"] == pytest.approx(1.0, abs=1e-8)
    assert b.loc[1, "jump"] == pytest.approx(E / 2 - 1, abs=1e-8)
    assert b.loc[0, "L at |y-t|=1"] == pytest.approx(E) and b.loc[1, "L at |y-t|=1"] == pytest.approx(E)
    assert list(protocols.boundary_values().columns) == [
        "reading", "t", "L correct side at boundary", "L wrong side at boundary", "jump", "L at |y-t|=1"]


def test_loss_range_and_convexity_on_grid():
    y = np.linspace(0, 1, 201)
    rng = protocols.loss_range_on_grid(y, [1.0, 100.0], ["product"])
    assert rng["max"]["product"] == pytest.approx(E, abs=1e-12) and rng["e"] == E
    assert 0 < rng["min"]["product"] < 1
    conv = protocols.convexity_on_grid(y, ["product"])
    assert conv == {"product": {"case1": False, "case2a": True, "case2b": True}}


# --- figures -------------------------------------------------------------------------------

def _bands(key, keys, epochs=3, cols=("train_loss", "train_acc", "test_acc"), batch_size=32):
    rows = []
    for i, k in enumerate(keys):
        for e in range(1, epochs + 1):
            row = {"batch_size": batch_size, key: k, "epoch": e}
            for c in cols:
                m = 0.5 + 0.1 * i + 0.01 * e
                row.update({f"{c}_mean": m, f"{c}_lo": m - 0.05, f"{c}_hi": m + 0.05})
            rows.append(row)
    return pd.DataFrame(rows)


def test_xm_cases_plots_the_three_cases():
    y = np.linspace(0, 1, 21)
    fig = plots.xm_cases(y, [1.0, 10.0], ["product", "exponential"])
    ax0, ax1, ax2 = fig.axes
    assert [a.get_title() for a in fig.axes] == ["Case 1: correct (Fig. 3)", "Case 2a: t = 0, wrong (Fig. 4)",
                                                  "Case 2b: t = 1, wrong (Fig. 5)"]
    assert len(ax0.lines) == 4 and len(ax1.lines) == 2 and len(ax2.lines) == 2
    np.testing.assert_array_equal(ax0.lines[2].get_ydata(), protocols.xm_curve(y, 1, 10.0)[y > 0.5])
    np.testing.assert_array_equal(ax2.lines[1].get_ydata(),
                                  protocols.xm_curve(y, 1, 1.0, "exponential")[y <= 0.5])


def test_xm_full_range_one_line_per_reading_and_lambda():
    y = np.linspace(0, 1, 11)
    fig = plots.xm_full_range(y, [1.0, 2.0, 3.0], ["product", "exponential"])
    assert [len(a.lines) for a in fig.axes] == [7, 7]  # + the y = 0.5 marker
    np.testing.assert_array_equal(fig.axes[0].lines[4].get_ydata(), protocols.xm_curve(y, 0, 2.0, "exponential"))


def test_cv_accuracy_boxplot_labels_and_boxes():
    def medians(ax):  # the two-point horizontal line at the median of each box
        return [float(line.get_ydata()[0]) for line in ax.lines
                if len(line.get_ydata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1]
                and line.get_color() == "C1"]

    s = pd.DataFrame({"repeat": [0, 0, 1, 1], "accuracy": [0.5, 0.7, 0.9, 0.9]})
    fig = plots.cv_accuracy_boxplot({("bce", 32): s, ("xm(1,1)", 1): s}, n_repeats=2)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Binary Cross-Entropy\nbatch 32",
                                                           "Xtreme Margin (1, 1)\nbatch 1"]
    assert ax.get_ylabel() == "mean CV accuracy per repeat"
    assert medians(ax) == pytest.approx([0.75, 0.75])  # of the repeat means 0.6 and 0.9
    ax1 = plots.cv_accuracy_boxplot({("bce", 32): s}, n_repeats=1).axes[0]
    assert ax1.get_ylabel() == "fold accuracy"
    assert medians(ax1) == pytest.approx([0.8])  # of the fold accuracies


def test_lambda_tuning_and_heatmap():
    diag = pd.DataFrame({"lam1": [0.1, 10.0, 1000.0], "lam2": [0.1, 10.0, 1000.0],
                         "cv_mean": [0.6, 0.8, 0.7], "cv_std": [0.1, 0.05, 0.08], "cv_mean_se": [0.01] * 3})
    fig = plots.lambda_tuning(diag, n_repeats=2)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [0.6, 0.8, 0.7])
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), [0.1, 0.05, 0.08])
    assert len(fig.axes[0].collections) == 1 and len(fig.axes[1].collections) == 0  # the +-2 SE band
    grid = pd.DataFrame([[0.61, 0.72], [0.83, 0.94]], index=[1.0, 100.0], columns=[1.0, 100.0])
    ax = plots.lambda_heatmap(grid).axes[0]
    assert [t.get_text() for t in ax.texts] == ["0.610", "0.720", "0.830", "0.940"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "100"]


def test_optimizer_bands_one_row_per_reading():
    opts = [("subgradient, step 0.1", "sgd", {"lr": 0.1}), ("RMSprop (Keras defaults)", "rmsprop", {})]
    bands = pd.concat([_bands("label", [o[0] for o in opts]),
                       _bands("label", [o[0] for o in opts], batch_size=1)], ignore_index=True)
    fig = plots.optimizer_bands(bands, [(32, 3, opts), (1, 3, opts)], majority=0.64)
    assert len(fig.axes) == 6
    ax = fig.axes[2]  # test accuracy, batch size 32
    assert ax.get_title() == "test accuracy, batch size 32"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.61, 0.62, 0.63])
    assert ax.lines[0].get_linestyle() == "-" and ax.lines[1].get_linestyle() == "--"
    assert ax.lines[-1].get_ydata()[0] == 0.64  # the majority rate


def test_eq14_tangents_touch_the_loss_at_y0():
    fig = plots.eq14_tangents("xm(2,2)", y0s=(0.8,))
    ax = fig.axes[0]
    yy = ax.lines[0].get_xdata()
    i = int(np.argmin(np.abs(yy - 0.8)))
    L08 = float(xtreme_margin(np.array([0.8]), np.ones(1), lam1=2.0, lam2=2.0))
    assert ax.lines[1].get_ydata()[i] == pytest.approx(L08, abs=1e-9)
    slope = (ax.lines[1].get_ydata()[1] - ax.lines[1].get_ydata()[0]) / (yy[1] - yy[0])
    assert f"(slope {slope:.3f})" in ax.lines[1].get_label()
    with pytest.raises(ValueError, match="xm"):
        plots.eq14_tangents("bce")


def test_bias_by_loss_bars():
    bias = pd.DataFrame({"label": ["A", "B"], "bias2": [0.1, 0.2], "bias01": [0.3, 0.4],
                         "paper bias": [1.0, 2.0]})
    ax = plots.bias_by_loss(bias).axes[0]
    assert [round(p.get_height(), 6) for p in ax.patches] == [0.1, 0.2, 0.3, 0.4]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.2, 0.4])  # rescaled to the 0-1 bars


def test_evaluation_curves_and_overlay():
    losses = ["xm(2,2)", "bce"]
    bands = _bands("loss", losses, cols=("train_acc", "test_acc"))
    fig = plots.evaluation_curves(bands, losses, 32, majority=0.64, n_seeds=3)
    assert [a.get_title() for a in fig.axes] == ["Xtreme Margin (2, 2)", "Binary Cross-Entropy"]
    assert fig._suptitle.get_text() == "Ionosphere, batch size 32, 3 seeds (mean, 10-90% band)"
    np.testing.assert_allclose(fig.axes[1].lines[1].get_ydata(), [0.61, 0.62, 0.63])
    single = plots.evaluation_curves(bands, ["bce"], 32, majority=0.64, n_seeds=3)
    assert len(single.axes) == 1
    ax = plots.overlay_test_accuracy(bands, losses, [32]).axes[0]
    assert [line.get_label() for line in ax.lines] == ["Xtreme Margin (2, 2)", "Binary Cross-Entropy"]


def test_decision_regions_titles_and_points():
    xx, yy = np.meshgrid(np.linspace(0, 1, 5), np.linspace(0, 1, 5))
    proba = {"bce": np.stack([xx, 1 - xx])}  # two models, boundary at x = 0.5
    boundary = {"xx": xx, "yy": yy, "proba": proba, "splits": [(np.array([0, 1]), np.array([2, 3]))]}
    X = np.array([[0.1, 9, 0.2], [0.9, 9, 0.8], [0.2, 9, 0.4], [0.7, 9, 0.6]])
    y = np.array([0, 1, 0, 1])
    summary = pd.DataFrame({"batch_size": [32], "loss": ["bce"], "cond_acc_0": [0.875], "cond_acc_1": [0.5]})
    fig = plots.decision_regions(boundary, X, y, [0, 2], ["bce"], summary, 32)
    ax = fig.axes[0]
    assert ax.get_title() == "Binary Cross-Entropy\ncond. acc 0: 0.88, 1: 0.50"
    assert ax.get_xlabel() == "feature 0" and ax.get_ylabel() == "feature 2"
    pts = [c.get_offsets() for c in ax.collections if len(c.get_offsets()) and c.get_offsets().shape[1] == 2]
    np.testing.assert_array_equal(np.concatenate(pts[-4:]), X[[0, 1, 2, 3]][:, [0, 2]])


def test_accuracy_vs_ratio_means_and_bce_level():
    ratio = pd.DataFrame({"batch_size": 32, "loss": ["xm(2,10)", "xm(2,10)", "xm(10,2)", "bce"],
                          "log_ratio": [np.log10(5), np.log10(5), -np.log10(5), np.nan],
                          "cond_acc_0": [0.6, 0.8, 0.9, 0.5], "cond_acc_1": [0.9, 0.7, 0.4, 0.6],
                          "accuracy": [0.8, 0.7, 0.7, 0.55]})
    ax = plots.accuracy_vs_ratio(ratio, [32], n_splits=5).axes[0]
    means = [line for line in ax.lines if line.get_label() == "class 0 ('b')"][0]
    np.testing.assert_allclose(means.get_ydata(), [0.9, 0.7])  # per-ratio means, ratio ascending
    assert ax.lines[1].get_ydata()[0] == 0.5  # BCE's level for class 0
    assert ax.get_title() == "all features, 5-fold CV, batch size 32"


def test_precision_recall_auc_error_bars_and_boxes():
    runs = pd.DataFrame({"loss": ["bce", "bce", "hinge", "hinge"], "precision": [0.8, 0.9, 0.7, 0.7],
                         "recall": [0.6, 0.8, 0.9, 0.9], "auroc": [0.9, 0.95, 0.8, 0.85]})
    fig = plots.precision_recall_auc(runs, ["bce", "hinge"])
    ax0, ax1 = fig.axes
    centre = ax0.lines[0]
    assert centre.get_xdata()[0] == pytest.approx(0.7) and centre.get_ydata()[0] == pytest.approx(0.85)
    assert [t.get_text() for t in ax1.get_xticklabels()] == ["bce", "hinge"]
