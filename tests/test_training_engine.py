"""Training engine (issue 10): optimisers with momentum and per-model lr, batch-pooled
losses, early stopping, per-epoch probes."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch

import lossfns
from lossfns.training import SGD, Adam, MLPSpec, RMSprop, Task, train_batched
from lossfns.training.batched import pooled
from lossfns.training.early_stopping import EarlyStopping
from lossfns.training.probes import param_norm, set_probes

SPEC = MLPSpec(((8, "relu", 0.25), (4, "tanh", 0.0)))


def bce(p, t):
    return torch.nn.functional.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), t, reduction="none")


def _data(n, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y


def _ragged():
    out = []
    for k, n in enumerate((70, 45, 33)):
        X, y = _data(n, seed=k)
        Xv, yv = _data(20, seed=10 + k)
        out.append(Task(X, y, Xv, yv, Xv, yv))
    return out


# ---- optimisers -------------------------------------------------------------------------

@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_matches_torch_with_lr_per_model(nesterov):
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 2, 3))
    lrs = [0.1, 0.03]
    p = torch.full((2, 3), 0.5, dtype=torch.float64)
    opt = SGD([p], lr=lrs, momentum=0.9, nesterov=nesterov)
    refs = []
    for m in range(2):
        ref = torch.full((3,), 0.5, dtype=torch.float64, requires_grad=True)
        topt = torch.optim.SGD([ref], lr=lrs[m], momentum=0.9, nesterov=nesterov)
        for g in grads:
            ref.grad = torch.as_tensor(g[m])
            topt.step()
        refs.append(ref.detach().numpy())
    for g in grads:
        opt.step([torch.as_tensor(g)], torch.tensor([True, True]))
    np.testing.assert_allclose(p.numpy(), np.stack(refs), atol=1e-14)


def test_sgd_nesterov_matches_keras():
    import keras
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(5, 3))
    v = keras.Variable(np.zeros(3) + 0.5, dtype="float64")
    kopt = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)
    for g in grads:
        kopt.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), v)])
    p = torch.full((1, 3), 0.5, dtype=torch.float64)
    opt = SGD([p], lr=0.05, momentum=0.9, nesterov=True)
    for g in grads:
        opt.step([torch.as_tensor(g[None])], torch.tensor([True]))
    # Keras keeps lr and momentum in float32
    np.testing.assert_allclose(p[0].numpy() - 0.5, np.asarray(v.numpy()) - 0.5, rtol=1e-6)


def test_sgd_momentum_inactive_model_keeps_state():
    p = torch.zeros(2, 1, dtype=torch.float64)
    opt = SGD([p], lr=1.0, momentum=0.5)
    g = torch.ones(2, 1, dtype=torch.float64)
    opt.step([g], torch.tensor([True, False]))
    opt.step([g], torch.tensor([True, True]))
    assert p[:, 0].tolist() == [-2.5, -1.0]  # model 0: -1, then -(0.5 + 1); model 1: one step


@pytest.mark.parametrize("cls", [RMSprop, Adam])
def test_lr_per_model_equals_scalar(cls):
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(4, 2, 3))
    p = torch.full((2, 3), 0.5, dtype=torch.float64)
    opt = cls([p], lr=[1e-2, 1e-3])
    for g in grads:
        opt.step([torch.as_tensor(g)], torch.tensor([True, True]))
    for m, lr in enumerate([1e-2, 1e-3]):
        q = torch.full((1, 3), 0.5, dtype=torch.float64)
        o = cls([q], lr=lr)
        for g in grads:
            o.step([torch.as_tensor(g[m:m + 1])], torch.tensor([True]))
        np.testing.assert_allclose(p[m].numpy(), q[0].numpy(), atol=1e-15)


def test_lr_validation():
    p = torch.zeros(2, 1)
    with pytest.raises(ValueError, match="one value per model"):
        SGD([p], lr=[0.1])
    with pytest.raises(ValueError, match="lr must be"):
        Adam([p], lr=[0.1, -1.0])
    with pytest.raises(ValueError, match="nesterov needs momentum"):
        SGD([p], nesterov=True)


@pytest.mark.parametrize("optimizer,kw", [("rmsprop", {}), ("adam", {}),
                                          ("sgd", {"momentum": 0.9, "nesterov": True})])
def test_learning_rate_sweep_is_one_batched_call(optimizer, kw):
    X, y = _data(50)
    lrs = [0.3, 0.01, 0.001]
    tasks = [Task(X, y, X, y)] * 3
    common = dict(epochs=3, batch_size=16, optimizer=optimizer, dtype=torch.float64, quiet=True, seed=5)
    sweep = train_batched(SPEC, tasks, bce, optimizer_kwargs={"lr": lrs, **kw}, **common)
    for m, lr in enumerate(lrs):
        alone = train_batched(SPEC, tasks[:1], bce, model_ids=[m], optimizer_kwargs={"lr": lr, **kw}, **common)
        np.testing.assert_allclose(alone.eval_proba[0], sweep.eval_proba[m], atol=1e-12, rtol=0)


# ---- batch-pooled losses ----------------------------------------------------------------

POOLED = {"soft_f1": lossfns.soft_f1_loss, "dice": lossfns.dice_loss,
          "wmw": partial(lossfns.wmw_auroc_loss, gamma=0.3)}


def test_pooled_ignores_padding():
    p = torch.tensor([[0.9, 0.2, 0.7, 0.5], [0.1, 0.8, 0.0, 0.0]], dtype=torch.float64)
    t = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0]], dtype=torch.float64)
    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    for fn in POOLED.values():
        v = pooled(fn)(p, t, mask)
        assert v.shape == (2,)
        assert v[0].item() == pytest.approx(float(fn(p[0], t[0])), abs=1e-15)
        assert v[1].item() == pytest.approx(float(fn(p[1, :2], t[1, :2])), abs=1e-15)
        assert v[1].item() != pytest.approx(float(fn(p[1], t[1])))  # padding would change it


@pytest.mark.parametrize("name", sorted(POOLED))
def test_pooled_loss_batched_equals_one_by_one(name):
    tasks = _ragged()  # 70, 45, 33 rows: ragged last batches, different step counts
    kw = dict(epochs=3, batch_size=16, optimizer="adam", dtype=torch.float64, quiet=True, seed=2,
              loss_reduction="batch", optimizer_kwargs={"lr": 0.01})
    loss = pooled(POOLED[name])
    together = train_batched(SPEC, tasks, loss, **kw)
    for m, task in enumerate(tasks):
        alone = train_batched(SPEC, [task], loss, model_ids=[m], **kw)
        np.testing.assert_allclose(alone.eval_proba[0], together.eval_proba[m], atol=1e-12, rtol=0)
        np.testing.assert_allclose(alone.history["train_loss"][0], together.history["train_loss"][m],
                                   atol=1e-12, rtol=0)


# ---- early stopping ---------------------------------------------------------------------

def test_early_stopping_on_scripted_curves():
    curves = np.array([[5, 4, 3, 3.5, 3.2, 3.0, 4, 4, 4, 4],     # min 3 at epoch 2; ties do not count
                       [5, 4, 3, 2, 1, 0.5, 0.4, 0.3, 0.2, 0.1],  # never stops
                       [1, 2, 2, 0.5, 3, 3, 3, 3, 3, 3]])         # wait resets at epoch 3
    params = [torch.zeros(3, 2)]
    es = EarlyStopping(3, patience=3, max_epochs=10, params=params)
    for epoch in range(10):
        params[0][:] = epoch  # the "parameters" of this epoch
        vl = np.where(es.alive, curves[:, epoch], np.nan)
        es.update(epoch, vl, params)
    assert es.best_epoch.tolist() == [2, 9, 3]
    assert es.stopped_epoch.tolist() == [5, 9, 6]
    assert es.alive.tolist() == [False, True, False]
    es.restore(params)
    assert params[0][:, 0].tolist() == [2.0, 9.0, 3.0]


def test_early_stopping_in_trainer_and_no_restore():
    tasks = _ragged()
    kw = dict(epochs=40, batch_size=64, optimizer="adam", optimizer_kwargs={"lr": 0.1}, patience=3,
              quiet=True, dtype=torch.float64)
    r = train_batched(SPEC, tasks, bce, **kw)
    r2 = train_batched(SPEC, tasks, bce, restore_best=False, **kw)
    for m in range(3):
        assert r.stopped_epoch[m] - r.best_epoch[m] == 3 or r.stopped_epoch[m] == 39
        assert r.history["val_loss"][m, r.best_epoch[m]] == np.nanmin(r.history["val_loss"][m])
        assert np.mean(bce(torch.tensor(r.eval_proba[m]), torch.tensor(tasks[m].y_eval, dtype=torch.float64)).numpy()) \
            == pytest.approx(r.history["val_loss"][m, r.best_epoch[m]], rel=1e-9)
    stopped = [m for m in range(3) if r.stopped_epoch[m] < 39]
    assert stopped and all(not np.allclose(r.eval_proba[m], r2.eval_proba[m]) for m in stopped)


# ---- probes -----------------------------------------------------------------------------

def test_probes_hand_values():
    p = torch.tensor([[0.9, 0.55, 0.3, 0.45, 0.8], [0.2, 0.2, 0.2, 0.7, 0.0]], dtype=torch.float64)
    y = torch.tensor([[1, 0, 1, 0, 0], [0, 1, 0, 1, 1]], dtype=torch.float64)
    mask = torch.tensor([[True] * 5, [True] * 4 + [False]])
    prev = torch.tensor([[1, 1, 1, 0, 1], [0, 0, 0, 0, 1]], dtype=torch.float64)
    res, hard = set_probes(p, y, mask, from_logits=False, loss=np.array([0.1, 0.2]), prev_hard=prev)
    assert hard[0].tolist() == [1, 1, 0, 0, 1]
    # model 0: TP 1, FN 1, FP 2, TN 1; model 1 (4 real rows): TP 1, FN 1, FP 0, TN 2
    np.testing.assert_allclose(res["accuracy"], [2 / 5, 3 / 4])
    np.testing.assert_allclose(res["sensitivity"], [1 / 2, 1 / 2])
    np.testing.assert_allclose(res["specificity"], [1 / 3, 1.0])
    np.testing.assert_allclose(res["balanced_accuracy"], [(1 / 2 + 1 / 3) / 2, 3 / 4])
    np.testing.assert_allclose(res["f1"], [2 / (2 + 2 + 1), 2 / (2 + 0 + 1)])
    np.testing.assert_allclose(res["uncertain_share"], [2 / 5, 0.0])
    np.testing.assert_allclose(res["flip_share"], [1 / 5, 1 / 4])
    lg = lambda q: abs(np.log(q / (1 - q)))
    np.testing.assert_allclose(res["mean_abs_logit"],
                               [np.mean([lg(q) for q in (0.9, 0.55, 0.3, 0.45, 0.8)]),
                                np.mean([lg(q) for q in (0.2, 0.2, 0.2, 0.7)])])
    np.testing.assert_allclose(res["loss"], [0.1, 0.2])
    # logits: the same hard rule at z >= 0, the probability band through the sigmoid
    z = torch.logit(p[:, :4])
    res_z, hard_z = set_probes(z, y[:, :4], mask[:, :4], from_logits=True)
    assert torch.equal(hard_z, hard[:, :4]) and np.isnan(res_z["flip_share"]).all()
    # no positives: sensitivity undefined (NaN), not 0
    r0, _ = set_probes(p[:1], torch.zeros(1, 5, dtype=torch.float64), mask[:1], from_logits=False)
    assert np.isnan(r0["sensitivity"][0]) and r0["specificity"][0] == pytest.approx(2 / 5)
    W = [torch.tensor([[[3.0, 0.0]], [[1.0, 1.0]]]), torch.tensor([[4.0], [1.0]])]
    np.testing.assert_allclose(param_norm(W), [5.0, np.sqrt(3.0)])


def test_trainer_probes_shapes_and_consistency():
    tasks = _ragged()
    kw = dict(epochs=4, batch_size=16, quiet=True, dtype=torch.float64, seed=1)
    r = train_batched(SPEC, tasks, bce, probes=True, **kw)
    plain = train_batched(SPEC, tasks, bce, **kw)
    for m in range(3):  # probes change no trained number
        np.testing.assert_array_equal(r.eval_proba[m], plain.eval_proba[m])
    assert r.probes["train/accuracy"].shape == (3, 4) and r.probes["param_norm"].shape == (3, 4)
    np.testing.assert_allclose(r.probes["val/loss"], r.history["val_loss"])
    np.testing.assert_allclose(r.probes["val/accuracy"], r.history["eval_acc"])  # eval set = val set here
    assert np.isnan(r.probes["train/flip_share"][:, 0]).all()
    assert np.isfinite(r.probes["train/flip_share"][:, 1:]).all()
    # last epoch's val probes agree with the final eval outputs
    for m in range(3):
        pr = r.eval_proba[m]
        assert r.probes["val/uncertain_share"][m, -1] == pytest.approx(np.mean((pr > 0.4) & (pr < 0.6)))


def test_pooled_reduction_name_equals_wrapper():
    tasks = _ragged()[:2]
    kw = dict(epochs=2, batch_size=16, dtype=torch.float64, quiet=True, seed=3)
    a = train_batched(SPEC, tasks, lossfns.dice_loss, loss_reduction="pooled", **kw)
    b = train_batched(SPEC, tasks, pooled(lossfns.dice_loss), loss_reduction="batch", **kw)
    for m in range(2):
        np.testing.assert_array_equal(a.eval_proba[m], b.eval_proba[m])
