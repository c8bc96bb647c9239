"""Document 003's supplementary protocols (doc003.tables, doc003.images, doc003.tabular):
ids match the published numbers and claims files, per-model class weights, stand-in data."""
import numpy as np
import pandas as pd
import pytest
import torch

import lossfns
from lossfns.experiments.doc003 import images as I
from lossfns.experiments.doc003 import supp7 as S7
from lossfns.experiments.doc003 import tables as X
from lossfns.experiments.doc003 import tabular as T
from lossfns.pipeline.published import claims, published

METRIC_COLS = ["F1", "F2", "F3", "Accuracy", "Precision", "Recall", "AUROC (released code: mean balanced accuracy)",
               "AUROC (true)"]


def fake(datasets, losses, trials=3, seed=0, **extra):
    rng = np.random.default_rng(seed)
    rows = [{"dataset": d, "loss": l, "trial": t, "stand_in": False, **extra,
             **{c: float(rng.uniform(0.2, 0.9)) for c in METRIC_COLS}}
            for d in datasets for l in losses for t in range(trials)]
    return pd.DataFrame(rows)


def test_estimate_ids_are_published_numbers():
    known = set(published().index)
    ids = []
    r5 = pd.concat([fake(["synthetic-5", "synthetic-33"], X.BATCH_LOSSES, batch_size=b) for b in (128, 1024, 2048, 4096)])
    ids += list(X.table_estimates(r5, "table5", ["accuracy", "f1"], by="batch_size", by_format="b{}"))
    rf = fake(["mammography"], X.FBETA_LOSSES)
    ids += list(X.table_estimates(rf, "table3", ["f1", "f2", "f3", "precision", "recall"]))
    rf = fake(["adult", "creditcard", "cocktailparty"], X.FBETA_LOSSES)
    ids += list(X.table_estimates(rf, "table6", ["f1", "f2", "f3", "precision", "recall"]))
    four = ["adult", "mammography", "creditcard", "cocktailparty"]
    ids += list(X.table_estimates(fake(four, ["Dice"]), "table7", ["accuracy", "f1", "auroc"]))
    ids += list(X.table_estimates(fake(four, X.weighted_losses()), "table9", ["f1", "accuracy"]))
    ids += list(X.table_estimates(fake(four, X.oversampled_losses()), "table11", ["f1", "accuracy"]))
    t1 = fake(four, list(T.TABLE1_LOSSES) + ["F1† (AP-Perf)"])
    ids += list(T.table1_estimates(t1)) + list(T.table1_estimates(t1, "table4"))
    img = fake(["cifar10_transportation", "cifar10_frog"], ["F1*", "Accuracy*", "BCE"])
    ids += list(X.table_estimates(img, "table2", ["f1", "accuracy"]))
    img = fake(["cifar10_transportation", "cifar10_frog"], ["Dice", "Dice (sigmoid)"])
    ids += list(X.table_estimates(img, "table12", ["f1", "accuracy"]))
    counts = pd.DataFrame({"total": [10, 10, 10], "positives": [3, 3, 3], "oversampled_rows": [14] * 3,
                           "oversampled_positives": [7] * 3})
    w = pd.DataFrame({"reading": ["training split"] * 3, "W_n": [0.7] * 3, "W_p": [1.6] * 3})
    for d in four:
        ids += list(X.oversampling_estimates(counts, d)) + list(X.weights_estimates(w, d))
    missing = sorted(set(ids) - known)
    assert not missing, missing[:10]
    assert len(ids) == len(set(ids))
    # every published 003 number of Tables 2-12 but SVMperf's has an estimate id here
    want = {k for k in known if k.startswith("003/table") and not k.startswith("003/table1/")
            and "svmperf" not in k}
    assert want - set(ids) == set(), sorted(want - set(ids))[:10]


def test_claim_ids_exist():
    c = claims()
    r5 = pd.concat([fake(["synthetic-5", "synthetic-33"], X.BATCH_LOSSES, batch_size=b) for b in (128, 4096)])
    ids = list(X.table5_claims(r5)) + list(X.fbeta_claims(fake(["mammography"], X.FBETA_LOSSES)))
    b = pd.concat([fake(["adult"], X.baseline_losses(), setting="unweighted"),
                   fake(["adult"], X.weighted_losses(), setting="weighted"),
                   fake(["adult"], X.oversampled_losses(), setting="oversampled")])
    ids += list(X.baselines_claims(b))
    t1 = fake(["adult"], list(T.TABLE1_LOSSES) + ["F1† (AP-Perf)"])
    ids += list(T.table1_claims(t1)) + ["003/supp5/sigmoid_comparable"]
    ids += ["003/s5.2/f1_beats_bce_images", "003/s5.2/acc_beats_bce_images", "003/supp7.3/beats_dice_images"]
    assert set(ids) <= set(c.index), sorted(set(ids) - set(c.index))


def rows(spec, trials=3, **extra):
    """Hand-made result rows: spec (dataset, loss, **extra) -> {metric: per-trial values}."""
    out = []
    for (ds, loss, *more), metrics in spec.items():
        for t in range(trials):
            out.append({"dataset": ds, "loss": loss, "trial": t, "stand_in": False, **extra, **dict(more),
                        **{m: v[t] for m, v in metrics.items()}})
    return pd.DataFrame(out)


def test_table5_claims_parts():
    r = rows({("synthetic-5", "F1* (l)", ("batch_size", 128)): {"F1": [0.5, 0.6, 0.7], "Accuracy": [0.9] * 3},
              ("synthetic-5", "F1* (s)", ("batch_size", 128)): {"F1": [0.4, 0.4, 0.4], "Accuracy": [0.8] * 3},
              ("synthetic-5", "Accuracy* (l)", ("batch_size", 128)): {"F1": [0.0, 0.0, 0.01], "Accuracy": [0.95] * 3},
              ("synthetic-5", "F1* (l)", ("batch_size", 4096)): {"F1": [0.5, 0.5, 0.5], "Accuracy": [0.91] * 3},
              ("synthetic-5", "F1* (s)", ("batch_size", 4096)): {"F1": [0.3, 0.3, 0.3], "Accuracy": [0.8] * 3},
              ("synthetic-5", "Accuracy* (l)", ("batch_size", 4096)): {"F1": [0.0, 0.0, 0.0], "Accuracy": [0.95] * 3}})
    c = X.table5_claims(r)
    assert set(c) == {"003/supp4.3/batch_minimal", "003/supp4.3/linear_beats_sigmoid_5", "003/supp4.3/acc_f1_zero_5"}
    bm = c["003/supp4.3/batch_minimal"]
    assert list(bm)[:2] == ["synthetic-5 F1* (l) F1", "synthetic-5 F1* (l) Accuracy"] and len(bm) == 6
    assert bm["synthetic-5 F1* (l) F1"] == pytest.approx([0.0, -0.1, -0.2])          # batch 4096 - batch 128
    assert c["003/supp4.3/linear_beats_sigmoid_5"]["batch 128"] == pytest.approx([0.1, 0.2, 0.3])   # (l) - (s)
    assert list(c["003/supp4.3/linear_beats_sigmoid_5"]) == ["batch 128", "batch 4096"]
    zero = c["003/supp4.3/acc_f1_zero_5"]    # the F1 values themselves; Accuracy* (s) has no rows here
    assert zero["Accuracy* (l) batch 128"] == pytest.approx([0.0, 0.0, 0.01]) and len(zero["Accuracy* (s) batch 128"]) == 0


def test_fbeta_and_baselines_claims_parts():
    f = rows({("adult", "F1*"): {"Recall": [0.5, 0.5, 0.5], "F1": [0.6, 0.6, 0.6]},
              ("adult", "F2*"): {"Recall": [0.6, 0.7, 0.6], "F1": [0.58, 0.57, 0.6]},
              ("adult", "F3*"): {"Recall": [0.8, 0.8, 0.7], "F1": [0.5, 0.5, 0.5]}})
    c = X.fbeta_claims(f)
    assert list(c["003/s5.3/recall_rises"]) == ["adult F2*", "adult F3*"]
    assert c["003/s5.3/recall_rises"]["adult F3*"] == pytest.approx([0.3, 0.3, 0.2])   # F3* - F1* recall
    assert c["003/s5.3/small_f1_loss"]["adult F2*"] == pytest.approx([-0.02, -0.03, 0.0])
    b = pd.concat([rows({("adult", "F1* (l)"): {"F1": [0.6, 0.6, 0.7], "Accuracy": [0.9] * 3, T.SUMMARY_COLUMNS[2]: [0.8] * 3},
                         ("adult", "Dice"): {"F1": [0.5, 0.5, 0.5], "Accuracy": [0.8] * 3, T.SUMMARY_COLUMNS[2]: [0.7] * 3}},
                        setting="unweighted"),
                   rows({("adult", "weighted BCE"): {"F1": [0.65, 0.6, 0.6]}}, setting="weighted"),
                   rows({("adult", "BCE"): {"F1": [0.55, 0.55, 0.55]}, ("adult", "F1* (l)"): {"F1": [0.5, 0.6, 0.6]}},
                        setting="oversampled")])
    c = X.baselines_claims(b)
    assert list(c["003/supp7.1/beats_dice"]) == ["adult F1", "adult Accuracy", f"adult {T.SUMMARY_COLUMNS[2]}"]
    assert c["003/supp7.1/beats_dice"]["adult F1"] == pytest.approx([0.1, 0.1, 0.2])
    assert c["003/supp7.2/unweighted_vs_weighted_bce"]["adult"] == pytest.approx([-0.05, 0.0, 0.1])
    assert c["003/supp7.2/unweighted_vs_oversampled_bce"]["adult"] == pytest.approx([0.05, 0.05, 0.15])
    assert c["003/supp7.2/better_without_oversampling"]["adult"] == pytest.approx([0.1, 0.0, 0.1])


def _image_rows(dice_acc=(0.5, 0.5, 0.5), bce_acc=(0.85, 0.85, 0.85)):
    r = rows({("frog", "F1*"): {"F1": [0.6, 0.7, 0.8], "Accuracy": [0.9] * 3},
              ("frog", "Accuracy*"): {"F1": [0.5] * 3, "Accuracy": [0.95] * 3},
              ("frog", "BCE"): {"F1": [0.5] * 3, "Accuracy": list(bce_acc)},
              ("frog", "Dice"): {"F1": [0.1] * 3, "Accuracy": list(dice_acc)},
              ("frog", "Dice (sigmoid)"): {"F1": [0.2] * 3, "Accuracy": [0.6] * 3}})
    return r.assign(**{"majority rate": 0.4, "trained": r["Accuracy"] > 0.4, "stopped_epoch": 5,
                       "capped": r["loss"] == "Dice"})


def test_image_claims_parts():
    c = I.image_claims(_image_rows())
    assert list(c["003/s5.2/f1_beats_bce_images"]["parts"]) == ["frog F1* - BCE on F1", "frog F1* - BCE on Accuracy"]
    assert c["003/s5.2/f1_beats_bce_images"]["parts"]["frog F1* - BCE on F1"] == pytest.approx([0.1, 0.2, 0.3])
    assert c["003/s5.2/acc_beats_bce_images"]["parts"]["frog Accuracy* - BCE on Accuracy"] == pytest.approx([0.1] * 3)
    assert c["003/supp7.3/beats_dice_images"]["parts"]["frog F1* - Dice (sigmoid) on F1"] == pytest.approx([0.4, 0.5, 0.6])


def test_image_row_check_and_untrained_rows():
    # Dice has one model below the majority rate: its row is not judged, nor the claim that needs it
    r = _image_rows(dice_acc=(0.5, 0.3, 0.5))
    check = I.row_check(r).set_index("loss")
    assert check.loc["Dice", "trained"] == 2 and not check.loc["Dice", "judged"]
    assert check.loc["Dice", "capped share"] == 1.0 and check.loc["BCE", "capped share"] == 0.0
    assert check.loc["F1*", "judged"] and check.loc["F1*", "mean stopping epoch"] == 6
    c = I.image_claims(r)
    assert c["003/supp7.3/beats_dice_images"]["result"]["verdict"] == "not comparable"
    assert "frog Dice" in c["003/supp7.3/beats_dice_images"]["result"]["reason"]
    assert "parts" in c["003/s5.2/f1_beats_bce_images"]
    # BCE below the majority rate: the task did not train, no row of it is judged
    r = _image_rows(bce_acc=(0.3, 0.9, 0.9))
    assert not I.row_check(r)["judged"].any()
    assert all("result" in v for v in I.image_claims(r).values())


def test_linear_probe_difficulty_ranks_sets():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 0.4]])
    lab = rng.integers(0, 3, 600)
    X = centres[lab] + rng.normal(0, 0.3, (600, 2))
    d = I.linear_probe_difficulty(X[:400], lab[:400], X[400:], lab[400:], ["a", "b", "c"], sizes=(1, 2))
    assert len(d) == 3 + 3 and set(d["classes"]) == {1, 2}
    one = d[d["classes"] == 1].set_index("positive")
    assert one.loc["b", "Accuracy"] > one.loc["a", "Accuracy"]      # b is far, a and c overlap
    assert d.loc[d["positive"] == "a + c", "share"].item() == pytest.approx(np.isin(lab[400:], [0, 2]).mean())


def test_run_images_ci_tiny():
    r, desc = I.run_images("cifar10-frog", source="ci", trials=2, epochs=2, patience=1, n_train=60, n_val=20,
                           n_test=20, seed=3)
    assert "STAND-IN" in desc and len(r) == 2 * len(I.image_losses())
    assert (r["majority rate"] == 0.9).all() and (r["trained"] == (r["Accuracy"] > 0.9)).all()
    assert r["stopped_epoch"].between(0, 1).all() and r["cpu s_per_model_epoch"].gt(0).all()
    assert set(I.row_check(r)["loss"]) == set(I.image_losses())


def test_per_model_class_weights_in_one_batched_loss():
    # two models, each with its own (W_n, W_p): the batched loss is each model's own loss
    rng = np.random.default_rng(0)
    p = torch.tensor(rng.uniform(0.05, 0.95, (2, 12)))
    y = torch.tensor((rng.uniform(size=(2, 12)) < 0.3).astype(float))
    y[:, 0] = 1
    mask = torch.ones(2, 12, dtype=torch.bool)
    mask[1, 9:] = False                       # model 1: a ragged batch
    make = X.weighted_losses()["F1* (l)"]
    tasks = [lossfns.training.Task(np.zeros((4, 1)), np.array([0, 0, 0, 1])),
             lossfns.training.Task(np.zeros((4, 1)), np.array([0, 0, 1, 1]))]
    fn, reduction = make(tasks)
    assert reduction == "batch"
    got = fn(p, y, mask)
    from lossfns.training.samplers import class_weights
    want = [lossfns.soft_f1_loss(p[m][mask[m]], y[m][mask[m]], class_weight=class_weights(tasks[m].y_train))
            for m in range(2)]
    assert torch.allclose(got, torch.stack(want))
    assert class_weights(tasks[0].y_train) != class_weights(tasks[1].y_train)
    wfn, wred = X.weighted_losses()["weighted BCE"](tasks)
    assert wred == "mean" and wfn(p, y).shape == (2, 12)


def test_class_weights_and_oversampling_tables_match_the_counts():
    ds = T.load("mammography")
    w = X.weights_table(ds, 2)
    whole = w[w["reading"] == "whole data set"].iloc[0]
    assert whole["W_p"] == pytest.approx(11183 / (2 * 260))
    est = X.weights_estimates(w, "mammography")
    # the training-split reading matches Table 8's printed 21.55 (whole data set: 21.51)
    assert round(est["003/table8/mammography/w_p"].value, 2) == 21.55
    c = X.oversampling_table(ds, 2)
    assert (c["oversampled_positives"] * 2 == c["oversampled_rows"]).all()
    assert (c["oversampled_rows"] - c["oversampled_positives"] == c["train_rows"] - c["train_positives"]).all()


def test_adult_table10_readings():
    r = X.adult_table10_readings(1)
    a, b = r.iloc[0], r.iloc[1]
    assert a["train_negatives"] == 23779 and a["train_positives"] == 7479
    assert b["train_negatives"] == 19775 and b["oversampled_total"] == 2 * 19775


def test_image_data_ci_and_errors():
    Xa, ya, Xv, yv, Xt, yt, desc, st = I.image_data("cifar10-frog", "ci", n_train=100, n_val=20, n_test=30, seed=1)
    assert st and "STAND-IN" in desc
    assert Xa.shape == (100, 28, 28) and ya.sum() == 10 and yv.sum() == 2 and yt.sum() == 3
    with pytest.raises(ValueError, match="task must be one of"):
        I.image_data("cifar100", "ci", n_train=1, n_val=1, n_test=1)
    with pytest.raises(ValueError, match="source must be"):
        I.image_data("cifar10-frog", "web", n_train=1, n_val=1, n_test=1)
    with pytest.raises(ValueError, match="n_val"):
        I.image_data("cifar10-frog", "ci", n_train=1, n_val=0, n_test=1)
    with pytest.raises(ValueError, match="cannot draw"):
        I.image_data("cifar10-frog", "ci", n_train=1900, n_val=100, n_test=100)


def test_load_rejects_unknown_and_labels_stand_ins():
    with pytest.raises(ValueError, match="dataset must be one of"):
        T.load("iris")
    d = T.load("cocktailparty", stand_in_rows=500)
    assert d.is_stand_in and len(d.y) == 500


def test_fbeta_curve_columns():
    r = fake(["adult"], X.FBETA_LOSSES)
    for b in X.CURVE_BETAS:
        r[f"Fβ={b:g}"] = 0.5
    c = X.fbeta_curve(r)
    assert set(c["quantity"]) == {"F_beta", "precision", "recall"}
    assert len(c) == 3 * (len(X.CURVE_BETAS) + 2)


def test_image_data_uses_real_cifar_when_supplied(tmp_path, monkeypatch):
    # a generated CIFAR-10 tarball in the real layout (registry checksums dropped, as in
    # tests/test_datasets.py): the real path, images (n, 3, 32, 32), not a stand-in
    import importlib
    import json

    from tests import _data_fixtures as fx
    reg = importlib.import_module("lossfns.datasets.registry")
    monkeypatch.setenv("LOSSFNS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LOSSFNS_DATA_DIR", raising=False)
    data = json.loads(reg.REGISTRY_PATH.read_text())
    for name, e in data.items():
        if not name.startswith("_"):
            for f in e["files"].values():
                f["sha256"], f["md5"] = None, None
    (tmp_path / "registry.json").write_text(json.dumps(data))
    monkeypatch.setattr(reg, "REGISTRY_PATH", tmp_path / "registry.json")
    fx.write_cifar_tarball(tmp_path / "cifar-10-python.tar.gz", n_per_batch=50)
    Xa, ya, Xv, yv, Xt, yt, desc, st = I.image_data("cifar10-transportation", "full", n_train=100, n_val=20,
                                                    n_test=20, path=tmp_path)
    assert not st and "real" in desc
    assert Xa.shape == (100, 3, 32, 32) and ya.mean() == pytest.approx(0.4) and yt.mean() == pytest.approx(0.4)
    assert I.image_cnns(real=True)["logit"].in_shape == (3, 32, 32)


def test_trained_table_counts_capped_models_and_majority_beaters_per_group():
    # Mammography's first 2 test splits: majority rates as trained_check takes them
    _, tests, _ = T.trial_tasks(T.load("mammography"), 2)
    maj = [float(max(np.mean(y), 1 - np.mean(y))) for y in tests]
    rows = []
    for setting, acc, stops in (("unweighted", [maj[0] + 0.01, maj[1] - 0.01], [150, 1999]),
                                ("oversampled", [maj[0] + 0.001, maj[1] + 0.002], [300, 400])):
        for t in range(2):
            rows.append({"dataset": "mammography", "stand_in": False, "setting": setting, "loss": "F1* (l)",
                         "trial": t, "Accuracy": acc[t], "AUROC (true)": 0.8 + 0.05 * t,
                         "stopped_epoch": stops[t], "capped": stops[t] == 1999})
    table = X.trained_table(pd.DataFrame(rows), ("setting", "dataset", "loss"), max_epochs={"mammography": 2000},
                            patience=100)
    t = table.set_index("setting")
    assert list(table["setting"]) == ["unweighted", "oversampled"]       # groups in the rows' order
    assert t.loc["unweighted", "models"] == 2 and t.loc["unweighted", "capped"] == 1
    assert t.loc["unweighted", "capped share"] == pytest.approx(0.5)
    assert t.loc["unweighted", "beat majority"] == 1 and t.loc["oversampled", "beat majority"] == 2
    assert t.loc["oversampled", "beat majority share"] == pytest.approx(1.0)
    assert t.loc["unweighted", "majority rate min"] == pytest.approx(min(maj), abs=1e-12)
    assert (list(t["first stop"]), list(t["last stop"])) == ([150, 300], [1999, 400])
    assert list(t["max epochs"]) == [2000, 2000] and list(t["patience"]) == [100, 100]
    by_batch = X.trained_table(pd.DataFrame(rows).assign(batch_size=[128, 128, 4096, 4096]),
                               ("dataset", "batch_size", "loss"), max_epochs={128: 60, 4096: 300}, by="batch_size")
    assert list(by_batch["max epochs"]) == [60, 300] and "patience" not in by_batch



def test_run_setting_checks_the_setting_before_training():
    with pytest.raises(ValueError, match=r"setting must be one of \('unweighted', 'weighted', 'oversampled'\), got 'balanced'"):
        S7.run_setting("mammography", "balanced", trials=2, max_epochs=1, patience=1)


def test_one_setting_trains_the_unweighted_reference_it_is_compared_with():
    """003-s7b/c train one setting each; the unweighted F1* (l) beside it has the seeds and
    splits of 003-s7a's (the same models), so the supp. 7.2 claims stay paired by trial."""
    kw = dict(trials=2, max_epochs=2, patience=1, seed=0)
    w = S7.run_setting("mammography", "weighted", **kw)
    assert set(w["setting"]) == {"unweighted", "weighted"}
    assert sorted(w.loc[w["setting"] == "unweighted", "loss"].unique()) == ["F1* (l)"]
    assert sorted(w.loc[w["setting"] == "weighted", "loss"].unique()) == sorted(X.weighted_losses())
    u = S7.run_setting("mammography", "unweighted", **kw)
    assert sorted(u["loss"].unique()) == sorted(X.baseline_losses())
    cols = ["trial", "F1", "Accuracy", "stopped_epoch"]
    same = [x[(x["setting"] == "unweighted") & (x["loss"] == "F1* (l)")][cols].reset_index(drop=True) for x in (u, w)]
    pd.testing.assert_frame_equal(*same)


def test_a_subset_of_a_settings_calls_gives_the_rows_of_the_whole_run():
    """003-s7c splits its setting into one task per training call: each call's rows are those of
    the whole setting's run (apart from the wall time), in the order of :func:`setting_calls`."""
    assert S7.setting_calls("oversampled")[0] == ("unweighted", "F1* (l)")
    assert [c[1] for c in S7.setting_calls("oversampled")[1:]] == list(X.oversampled_losses())
    assert S7.setting_calls("unweighted") == [("unweighted", k) for k in X.baseline_losses()]
    kw = dict(trials=2, max_epochs=2, patience=1, seed=0)
    whole = S7.run_setting("mammography", "oversampled", **kw).drop(columns="wall_s_all_trials")
    calls = S7.setting_calls("oversampled")
    parts = [S7.run_setting("mammography", "oversampled", calls=[c], **kw) for c in (calls[0], calls[2])]
    for part, call in zip(parts, (calls[0], calls[2])):
        assert set(zip(part["setting"], part["loss"])) == {call}
        expected = whole[(whole["setting"] == call[0]) & (whole["loss"] == call[1])].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.drop(columns="wall_s_all_trials"), expected, check_exact=True)


def test_run_setting_names_a_call_the_setting_does_not_make():
    with pytest.raises(ValueError, match=r"calls must be one of .*got \('weighted', 'weighted BCE'\)"):
        S7.run_setting("mammography", "oversampled", calls=[("weighted", "weighted BCE")], trials=2, max_epochs=1, patience=1)
    with pytest.raises(ValueError, match=r"len\(calls\) must be at least 1 \(calls of setting 'oversampled'\), got 0"):
        S7.run_setting("mammography", "oversampled", calls=[], trials=2, max_epochs=1, patience=1)


def test_supp7_claims_of_each_setting():
    u = rows({("adult", "F1* (l)"): {"F1": [0.6, 0.6, 0.7], "Accuracy": [0.9] * 3, T.SUMMARY_COLUMNS[2]: [0.8] * 3},
              ("adult", "Dice"): {"F1": [0.5, 0.5, 0.5], "Accuracy": [0.8] * 3, T.SUMMARY_COLUMNS[2]: [0.7] * 3}},
             setting="unweighted")
    c = S7.claims(u)
    assert list(c) == ["003/supp7.1/beats_dice"]
    assert c["003/supp7.1/beats_dice"]["adult F1"] == pytest.approx([0.1, 0.1, 0.2])
    ref = rows({("adult", "F1* (l)"): {"F1": [0.6, 0.6, 0.7]}}, setting="unweighted")
    w = pd.concat([ref, rows({("adult", "weighted BCE"): {"F1": [0.65, 0.6, 0.6]}}, setting="weighted")])
    assert list(S7.claims(w)) == ["003/supp7.2/unweighted_vs_weighted_bce"]
    assert S7.claims(w)["003/supp7.2/unweighted_vs_weighted_bce"]["adult"] == pytest.approx([-0.05, 0.0, 0.1])
    o = pd.concat([ref, rows({("adult", "BCE"): {"F1": [0.55] * 3}, ("adult", "F1* (l)"): {"F1": [0.5, 0.6, 0.6]}},
                             setting="oversampled")])
    c = S7.claims(o)
    assert list(c) == ["003/supp7.2/unweighted_vs_oversampled_bce", "003/supp7.2/better_without_oversampling"]
    assert c["003/supp7.2/unweighted_vs_oversampled_bce"]["adult"] == pytest.approx([0.05, 0.05, 0.15])
    assert c["003/supp7.2/better_without_oversampling"]["adult"] == pytest.approx([0.1, 0.0, 0.1])
    assert S7.claims(ref) == {}
    # every claim of data/claims.csv that names a 003-s7 notebook is tested by that notebook's setting
    table = claims()
    for stem, res in {"003-s7a_baselines": u, "003-s7b_class_weights": w, "003-s7c_oversampling": o}.items():
        assert set(S7.claims(res)) == set(table.index[table["notebook"] == stem]), stem
