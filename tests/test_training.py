"""Batched trainer: parity with one-by-one training, optimisers vs Keras/torch, early stopping."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lossfns.datasets import load_sonar
from lossfns.experiments.doc000.protocols import BOUNDARY_SPEC, PAPER000_SPEC
from lossfns.experiments.doc003.theory import PAPER003_SPEC
from lossfns.training import (Adam, MLPSpec, RMSprop, SGD,
                              Task, cv_tasks, stratified_kfold, train_batched,
                              train_val_test_split)


def bce(p, t):
    return torch.nn.functional.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), t, reduction="none")


def hinge(p, t):  # Keras hinge on probabilities
    return torch.clamp(1 - (2 * t - 1) * p, min=0)


@pytest.fixture(scope="module")
def sonar_tasks():
    d = load_sonar()
    return cv_tasks(d.X, d.y, stratified_kfold(d.y, 10, seed=0))


def _ragged_tasks(sonar_tasks):
    # three models with different training-set sizes -> different numbers of batches
    t = sonar_tasks
    return [t[0], Task(t[1].X_train[:70], t[1].y_train[:70], t[1].X_eval, t[1].y_eval),
            Task(t[2].X_train[:33], t[2].y_train[:33], t[2].X_eval, t[2].y_eval)]


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_batched_equals_one_by_one(sonar_tasks, dtype, tol, optimizer):
    tasks = _ragged_tasks(sonar_tasks)
    kw = dict(epochs=4, batch_size=32, optimizer=optimizer, dtype=dtype, quiet=True, seed=7, device="cpu")
    together = train_batched(PAPER000_SPEC, tasks, bce, **kw)
    for m, task in enumerate(tasks):
        alone = train_batched(PAPER000_SPEC, [task], bce, model_ids=[m], **kw)
        np.testing.assert_allclose(alone.eval_proba[0], together.eval_proba[m], atol=tol, rtol=0)
        for key in ("train_loss", "train_acc", "eval_loss", "eval_acc"):
            np.testing.assert_allclose(alone.history[key][0], together.history[key][m], atol=tol, rtol=0)
        for a, b in zip(alone.params, together.params):
            np.testing.assert_allclose(a[0].numpy(), b[m].numpy(), atol=tol, rtol=0)


def test_models_differ_and_seed_is_deterministic(sonar_tasks):
    tasks = [sonar_tasks[0]] * 2
    a = train_batched(PAPER000_SPEC, tasks, bce, epochs=2, quiet=True, seed=1)
    b = train_batched(PAPER000_SPEC, tasks, bce, epochs=2, quiet=True, seed=1)
    c = train_batched(PAPER000_SPEC, tasks, bce, epochs=2, quiet=True, seed=2)
    assert np.array_equal(a.eval_proba[0], b.eval_proba[0])
    assert not np.allclose(a.eval_proba[0], a.eval_proba[1])  # same data, own init/shuffle/dropout
    assert not np.allclose(a.eval_proba[0], c.eval_proba[0])


def test_training_learns_sonar(sonar_tasks):
    r = train_batched(PAPER000_SPEC, sonar_tasks[:4], bce, epochs=60, quiet=True, seed=0)
    assert r.history["train_loss"].shape == (4, 60)
    assert (r.history["train_loss"][:, -1] < r.history["train_loss"][:, 0]).all()
    assert np.mean([((p >= .5) == t.y_eval).mean() for p, t in zip(r.eval_proba, sonar_tasks)]) > 0.65


def test_mean_reduction_matches_keras_convention():
    """Padded samples do not count: loss of a 3-sample last batch = mean over 3."""
    X = np.eye(5)[:, :3] + 0.1
    y = np.array([0, 1, 0, 1, 1])
    spec = MLPSpec(())
    r = train_batched(spec, [Task(X, y)], bce, epochs=1, batch_size=2, optimizer="sgd",
                      optimizer_kwargs={"lr": 1e-12}, shuffle=False, quiet=True, dtype=torch.float64)
    w = r.params[0][0].numpy()
    p = 1 / (1 + np.exp(-(X @ w).ravel()))
    full = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert r.history["train_loss"][0, 0] == pytest.approx(full.mean(), rel=1e-9)


def _keras_opt_run(opt, grads):
    import keras
    v = keras.Variable(np.zeros(3, np.float64) + 0.5, dtype="float64")
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), v)])
    return np.asarray(v.numpy())


def test_rmsprop_and_keras_adam_match_keras():
    import keras
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 3))
    # Keras keeps the learning rate (and, in Adam's bias correction, the betas)
    # in float32: 1e-3 -> 1.00000005e-3, 1 - 0.999f = 0.99998713e-3. So the
    # displacements are compared to relative 5e-7 (RMSprop) and 2e-5 (Adam).
    for ours, theirs, rtol in ((lambda p: RMSprop(p), keras.optimizers.RMSprop(), 5e-7),
                               (lambda p: Adam(p, style="keras"), keras.optimizers.Adam(), 2e-5)):
        p = torch.full((1, 3), 0.5, dtype=torch.float64)
        opt = ours([p])
        for g in grads:
            opt.step([torch.as_tensor(g[None])], torch.tensor([True]))
        np.testing.assert_allclose(p[0].numpy() - 0.5, _keras_opt_run(theirs, grads) - 0.5, rtol=rtol)


def test_torch_adam_matches_torch_and_mask_freezes_state():
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(5, 2, 3))
    ref = torch.full((3,), 0.5, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.Adam([ref], lr=1e-3)
    p = torch.full((2, 3), 0.5, dtype=torch.float64)
    opt = Adam([p])
    for k, g in enumerate(grads):
        ref.grad = torch.as_tensor(g[0])
        topt.step()
        # model 1 is inactive on even steps: its state must not move then
        opt.step([torch.as_tensor(g)], torch.tensor([True, k % 2 == 1]))
    np.testing.assert_allclose(p[0].numpy(), ref.detach().numpy(), atol=1e-14)
    solo = torch.full((1, 3), 0.5, dtype=torch.float64)
    sopt = Adam([solo])
    for k in (1, 3):
        sopt.step([torch.as_tensor(grads[k][1:2])], torch.tensor([True]))
    np.testing.assert_allclose(p[1].numpy(), solo[0].numpy(), atol=1e-14)


def test_sgd_plain_step():
    p = torch.ones(2, 2, dtype=torch.float64)
    SGD([p], lr=0.1).step([torch.ones(2, 2, dtype=torch.float64)], torch.tensor([True, False]))
    assert p.tolist() == [[0.9, 0.9], [1.0, 1.0]]


def test_early_stopping_restores_best_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(int)
    s = train_val_test_split(y, seed=0)
    task = Task(X[s.train], y[s.train], X[s.test], y[s.test], X[s.val], y[s.val])
    r = train_batched(PAPER003_SPEC, [task, task], bce, epochs=400, batch_size=1024, optimizer="adam",
                      optimizer_kwargs={"lr": 0.05}, patience=5, quiet=True)
    vl = r.history["val_loss"]
    for m in range(2):
        stop, best = r.stopped_epoch[m], r.best_epoch[m]
        assert stop < 399 and stop - best == 5
        assert vl[m, best] == np.nanmin(vl[m]) and np.isnan(vl[m, stop + 1:]).all()
    # restored parameters reproduce the best epoch's eval loss
    assert r.history["eval_loss"][0, r.best_epoch[0]] == pytest.approx(
        bce(torch.tensor(r.eval_proba[0]), torch.tensor(task.y_eval, dtype=torch.float64)).mean().item(),
        rel=1e-5)


def test_logit_output_and_batch_loss():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] > 0).astype(int)
    spec = BOUNDARY_SPEC.with_output("logit")
    logit_bce = lambda z, t: torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="none")
    r = train_batched(spec, [Task(X, y, X, y)], logit_bce, epochs=30, optimizer="adam",
                      optimizer_kwargs={"lr": 0.01}, quiet=True)
    assert r.eval_proba[0].min() < 0 < r.eval_proba[0].max()  # logits, not probabilities
    assert r.history["eval_acc"][0, -1] > 0.9

    def soft_error(p, t, mask):  # batch-level loss: 1 - soft accuracy
        m = mask.to(p.dtype)
        return 1 - ((p * t + (1 - p) * (1 - t)) * m).sum(1) / m.sum(1).clamp(min=1)

    r2 = train_batched(BOUNDARY_SPEC, [Task(X, y, X, y)], soft_error, loss_reduction="batch",
                       epochs=30, optimizer="adam", optimizer_kwargs={"lr": 0.01}, quiet=True)
    assert r2.history["train_loss"][0, -1] < r2.history["train_loss"][0, 0]


def test_hinge_and_subgradient_descent_converge(sonar_tasks):
    r = train_batched(PAPER000_SPEC, sonar_tasks[:2], hinge, epochs=30, optimizer="sgd",
                      optimizer_kwargs={"lr": 0.05}, quiet=True)
    assert (r.history["train_loss"][:, -5:].mean(1) < r.history["train_loss"][:, :5].mean(1)).all()


@pytest.mark.parametrize("kwargs,match", [
    (dict(epochs=0), "epochs must be a positive int, got 0"),
    (dict(epochs=1, batch_size=-1), "batch_size must be a positive int"),
    (dict(epochs=1, optimizer="nadam"), "optimizer must be one of"),
    (dict(epochs=1, device="tpu"), "device must be"),
    (dict(epochs=1, patience=3), "patience .* needs X_val"),
    (dict(epochs=1, loss_reduction="sum"), "loss_reduction must be"),
])
def test_input_validation(sonar_tasks, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_batched(PAPER000_SPEC, sonar_tasks[:1], bce, quiet=True, **kwargs)


def test_task_validation():
    with pytest.raises(ValueError, match=r"tasks\[0\].y_train must contain only 0 and 1"):
        train_batched(PAPER000_SPEC, [Task(np.zeros((3, 2)), np.array([0, 2, 1]))], bce, epochs=1)
    with pytest.raises(ValueError, match="activation must be one of"):
        MLPSpec(((4, "gelu", 0.0),))
    with pytest.raises(ValueError, match="per-sample losses"):
        train_batched(MLPSpec(()), [Task(np.zeros((3, 2)), np.array([0, 1, 1]))],
                      lambda p, t: bce(p, t).mean(1), epochs=1, quiet=True)


@pytest.mark.slow
def test_keras_trainer_one_fold_deterministic():
    from lossfns.training.keras_trainer import keras_cross_val
    d = load_sonar()
    a = keras_cross_val(d.X, d.y, "binary_crossentropy", spec=PAPER000_SPEC, epochs=3, max_folds=1, seed=0)
    b = keras_cross_val(d.X, d.y, "binary_crossentropy", spec=PAPER000_SPEC, epochs=3, max_folds=1, seed=0)
    assert a["scores"].shape == (1,) and 0 <= a["scores"][0] <= 1
    np.testing.assert_array_equal(a["eval_proba"][0], b["eval_proba"][0])
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        keras_cross_val(d.X, d.y, spec=PAPER000_SPEC, epochs=0)
