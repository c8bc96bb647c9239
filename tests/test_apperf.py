"""AP-Perf's adversarial F1 (lossfns.training.apperf): the loss, a short training run, the checks.

Skipped where the optional package ``ap-perf`` is not installed (``pip install lossfns[apperf]``).
The first test of a fresh environment pays numba's compilation of AP-Perf's kernels (about
5-10 s, cached on disk afterwards); the ADMM solver runs with ``max_iter=20`` here (its default
is 100) to keep the steps short.
"""
import numpy as np
import pytest
import torch

pytest.importorskip("ap_perf")

from lossfns.training import MLPSpec, Task  # noqa: E402
from lossfns.training.apperf import f1_adversarial_loss, train_apperf  # noqa: E402

SPEC = MLPSpec(((8, "relu", 0.0),))
FAST = 20  # ADMM iterations in these tests


def _f1(pred, y):
    tp = np.sum(pred & (y == 1))
    return 2 * tp / (pred.sum() + y.sum())


def _separable(n, seed):
    """Two features, positives where x0 > 0.5 (about 31%), with a margin of 0.3 around it."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4 * n, 2))
    X = X[np.abs(X[:, 0] - 0.5) > 0.3][:n]
    return X, (X[:, 0] > 0.5).astype(float)


def test_loss_is_finite_and_has_gradients_by_the_chain_rule():
    loss = f1_adversarial_loss(max_iter=FAST)
    g = torch.Generator().manual_seed(0)
    w = torch.randn(3, generator=g, requires_grad=True)
    X = torch.randn(12, 3, generator=g)
    y = torch.tensor([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0], dtype=torch.float32)
    value = loss(X @ w, y)
    assert value.shape == () and torch.isfinite(value)
    (grad,) = torch.autograd.grad(value, w)
    assert torch.isfinite(grad).all() and grad.abs().sum() > 0
    # AP-Perf's own backward ignores the incoming gradient; ours scales with it
    (grad2,) = torch.autograd.grad(2.0 * loss(X @ w, y), w)
    torch.testing.assert_close(grad2, 2.0 * grad, rtol=1e-4, atol=1e-6)
    # d loss / d logits = q - y with q the adversary's marginals in [0, 1]
    z = (X @ w).detach().requires_grad_(True)
    (gz,) = torch.autograd.grad(loss(z, y), z)
    q = gz + y
    assert (q >= -1e-4).all() and (q <= 1 + 1e-4).all()
    # logits of shape (m, 1) are read as (m,); no-grad inputs give the value only
    assert torch.isfinite(loss((X @ w).detach()[:, None], y[:, None]))


def test_training_beats_every_constant_classifier_on_f1():
    Xtr, ytr = _separable(80, 0)
    Xva, yva = _separable(40, 1)
    Xte, yte = _separable(200, 2)
    task = Task(Xtr, ytr, X_eval=Xte, y_eval=yte, X_val=Xva, y_val=yva)
    res = train_apperf(SPEC, [task], epochs=12, lr=1e-2, seed=0, patience=4, max_iter=FAST)
    p = res.eval_proba[0]
    assert p.shape == yte.shape and np.all((p > 0) & (p < 1))
    assert res.stopped_epoch.shape == (1,) and 0 <= res.stopped_epoch[0] <= 11
    assert np.isfinite(res.history["train_loss"][0, 0]) and np.isfinite(res.history["val_loss"][0, 0])
    # Chance: a classifier that ignores x and says "positive" with probability r has expected
    # F1 about 2*pi*r / (pi + r) <= 2*pi / (1 + pi) (r = 1): 0.43 for pi = 0.275 here.
    pi = yte.mean()
    chance = 2 * pi / (1 + pi)
    f1 = _f1(p >= 0.5, yte)  # sigmoid(logit) >= 0.5: logit >= 0, AP-Perf's decision rule
    assert f1 >= chance + 0.3, (f1, chance)


def test_runs_are_deterministic_and_independent_of_what_ran_before():
    Xtr, ytr = _separable(40, 3)
    Xte, yte = _separable(30, 4)
    tasks = [Task(Xtr, ytr, X_eval=Xte, y_eval=yte)] * 2
    a = train_apperf(SPEC, tasks, epochs=2, seed=5, max_iter=FAST)
    # model 1 alone (after model 0 ran in this process) gives the same numbers as among others
    b = train_apperf(SPEC, tasks[:1], epochs=2, seed=5, max_iter=FAST, model_ids=[1])
    np.testing.assert_array_equal(a.eval_proba[1], b.eval_proba[0])
    assert not np.array_equal(a.eval_proba[0], a.eval_proba[1])  # model ids seed the models
    assert [p.shape[0] for p in a.params] == [2] * len(a.params)


@pytest.mark.parametrize("kwargs, name", [
    ({"epochs": 0}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"lr": -1.0}, "lr"),
    ({"seed": -1}, "seed"),
    ({"patience": 0}, "patience"),
    ({"patience": 2}, "patience"),  # no validation set
    ({"max_iter": 0}, "max_iter"),
    ({"val_loss": "f1"}, "val_loss"),
    ({"tasks": []}, "tasks"),
    ({"threads": 0}, "threads"),
])
def test_bad_training_arguments_name_the_argument(kwargs, name):
    X, y = _separable(10, 0)
    args = {"epochs": 1, "tasks": [Task(X, y)], **kwargs}
    with pytest.raises(ValueError, match=name):
        train_apperf(SPEC, **args)


def test_bad_task_and_loss_inputs_name_the_argument():
    X, y = _separable(10, 0)
    with pytest.raises(ValueError, match=r"tasks\[0\]\.y_train"):
        train_apperf(SPEC, [Task(X, y + 1)], epochs=1)
    with pytest.raises(ValueError, match="max_iter"):
        f1_adversarial_loss(max_iter=0)
    loss = f1_adversarial_loss(max_iter=FAST)
    with pytest.raises(ValueError, match="logits"):
        loss(torch.zeros(3, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="y"):
        loss(torch.zeros(3), torch.tensor([0.0, 2.0, 1.0]))
    with pytest.raises(TypeError, match="spec"):
        train_apperf("32-16-1", [Task(X, y)], epochs=1)
