"""Non-finite inputs never give a finite loss (issue 19): with ``value_checks(False)``
a NaN in any floating input of any registered loss, on NumPy, torch and Keras, gives a
NaN (non-finite) loss; a +inf logit/score on the side where the loss grows without bound
gives a non-finite loss too. With the checks on, the same inputs raise the clear error.

Clamps and guards must not swallow a NaN: ``max(log p, -100)`` written as
``where(p > 0, log p, -100)`` turns a NaN ``p`` into a loss of 100, the bug this file pins
down (the issue's ``binary_cross_entropy`` example gave 25.51 instead of NaN).
"""
from __future__ import annotations

import numpy as np
import pytest

import lossfns
from lossfns._ops import NUMPY
from lossfns.losses import LOSSES
from tests._backends import BACKENDS, to_backend, to_numpy

RNG = np.random.default_rng(19)
N = 8
T01 = np.array([0, 1, 0, 1, 1, 0, 1, 0], dtype=np.float64)   # element 0 is a negative
PM1 = 2.0 * T01 - 1.0


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


Z8 = RNG.normal(size=N)
P8 = RNG.uniform(0.05, 0.95, size=N)
ZC = RNG.normal(size=(6, 4)) * 2.0
IDX = np.array([1, 0, 3, 2, 1, 0])                            # row 0: true class 1
SOFT = _softmax(RNG.normal(size=(6, 4)))
E = RNG.normal(size=(3, 6, 4))
PAIR = np.array([1, 0, 1, 0, 1, 0], dtype=np.float64)         # pair 0: similar
GE2E = RNG.normal(size=(3, 4, 5))

# Inputs of each kind: arrays (NumPy, float64 unless integer labels).
INPUTS = {
    "prob": [P8, T01],
    "prob_pm1": [P8, PM1],
    "logit": [Z8, T01],
    "logit_pm1": [Z8, PM1],
    "mc_prob_idx": [_softmax(ZC), IDX],
    "mc_logit_idx": [ZC, IDX],
    "mc_prob_soft": [_softmax(ZC), SOFT],
    "mc_logit_soft": [ZC, SOFT],
    "mc_logit_onehot": [ZC, np.eye(4)[IDX]],
    "pairs": [E[0], E[1], PAIR],
    "triplets": [E[0], E[1], E[2]],
    "ranking": [E[0, :, 0], E[1, :, 0], np.array([-1.0, 1, -1, 1, 1, -1])],
    "nce": [E[0], E[1], E[2]],
    "nce_in_batch": [E[0], E[1]],
    "arcface": [E[0], E[1, :4], IDX],
    "ge2e": [GE2E],
    "regression": [ZC, RNG.normal(size=(6, 4))],
    # 4,096 rows with a threshold grid: the soft counts' region-total path (counts.py)
    "prob_region": [RNG.uniform(0.05, 0.95, size=4096), np.resize(T01, 4096)],
}

# Where a +inf input must give a non-finite loss: (input index, flat element). The element is
# on the side where the loss grows without bound (a negative scored +inf, a wrong class scored
# +inf, a similar pair infinitely far apart). None: the loss maps +inf to a finite value by
# definition (the reason is given), so only the NaN part applies.
SIGMOID_BOUNDED = None  # a sigmoid maps +inf to 1: a bounded loss of a probability, finite by definition
PROBABILITIES = None    # inputs are probabilities in [0, 1]: +inf is outside the domain, NaN is the test
WRONG_LOGIT = (0, 0)    # element 0 is a negative (t = 0): logit +inf is infinitely wrong
WRONG_CLASS = (0, 0)    # row 0 has true class 1: a score of +inf for class 0 is infinitely wrong
FAR_PAIR = (1, 0)       # pair 0 is similar: x2 at +inf puts it infinitely far
INF_EMBEDDING = (0, 0)  # an infinite embedding coordinate: inf/inf (normalised) or inf - inf

# (name, params, input kind, +inf placement). Every registered loss appears at least once
# (test_every_registered_loss_is_covered), with each of its input conventions.
CASES = [
    ("binary_cross_entropy", {}, "prob", PROBABILITIES),
    ("binary_cross_entropy", {"eps": 1e-7}, "prob", PROBABILITIES),
    ("binary_cross_entropy", {"from_logits": True}, "logit", WRONG_LOGIT),
    ("hinge", {}, "prob", PROBABILITIES),
    ("hinge", {"labels": "pm1"}, "prob_pm1", PROBABILITIES),
    ("hinge", {"from_logits": True}, "logit", SIGMOID_BOUNDED),
    ("margin_hinge", {}, "logit", WRONG_LOGIT),
    ("margin_hinge", {"labels": "pm1"}, "logit_pm1", WRONG_LOGIT),
    ("focal", {}, "prob", PROBABILITIES),
    ("focal", {"gamma": 0.5, "alpha": None}, "prob", PROBABILITIES),
    ("focal", {"gamma": 0.0}, "prob", PROBABILITIES),
    ("focal", {"from_logits": True}, "logit", WRONG_LOGIT),
    ("weighted_bce", {}, "prob", PROBABILITIES),
    ("weighted_bce", {"weights": (0.6, 2.5), "eps": 1e-7}, "prob", PROBABILITIES),
    ("weighted_bce", {"from_logits": True}, "logit", WRONG_LOGIT),
    ("xtreme_margin", {}, "prob", PROBABILITIES),
    ("xtreme_margin", {"s_reading": "exponential", "lam1": 2.0}, "prob", PROBABILITIES),
    ("xtreme_margin", {"from_logits": True}, "logit", SIGMOID_BOUNDED),
    ("l24", {}, "prob", PROBABILITIES),
    ("l24", {"from_logits": True}, "logit", SIGMOID_BOUNDED),
    ("l6", {"c": 2.0}, "prob", PROBABILITIES),
    ("l6", {"from_logits": True}, "logit", SIGMOID_BOUNDED),
    ("sigmoid_free", {}, "logit", WRONG_LOGIT),
    ("sigmoid_free", {"labels": "pm1", "c": 3.0}, "logit_pm1", WRONG_LOGIT),
    ("broken_loss", {}, "prob", PROBABILITIES),
    ("broken_loss", {"constant": "3/16", "from_logits": True}, "logit", SIGMOID_BOUNDED),
    ("dice_loss", {}, "prob", PROBABILITIES),
    ("dice_loss", {"squared": True, "smooth": 1.0}, "prob", PROBABILITIES),
    ("dice_loss", {"from_logits": True}, "logit", SIGMOID_BOUNDED),
    ("wmw_auroc_loss", {}, "prob", PROBABILITIES),
    ("wmw_auroc_loss", {"reduction": "sum"}, "prob", PROBABILITIES),
    ("wmw_auroc_loss", {"form": "sigmoid"}, "prob", PROBABILITIES),
    ("wmw_auroc_loss", {"from_logits": True}, "logit", SIGMOID_BOUNDED),
    ("categorical_cross_entropy", {}, "mc_prob_idx", PROBABILITIES),
    ("categorical_cross_entropy", {}, "mc_prob_soft", PROBABILITIES),
    ("categorical_cross_entropy", {"from_logits": True}, "mc_logit_idx", WRONG_CLASS),
    ("categorical_cross_entropy", {"from_logits": True}, "mc_logit_soft", WRONG_CLASS),
    ("kl_divergence", {}, "mc_prob_soft", PROBABILITIES),
    ("kl_divergence", {"from_logits": True}, "mc_logit_idx", WRONG_CLASS),
    ("kl_divergence", {"from_logits": True}, "mc_logit_soft", WRONG_CLASS),
    ("multiclass_hinge", {}, "mc_logit_idx", WRONG_CLASS),
    ("multiclass_hinge", {"variant": "crammer_singer"}, "mc_logit_idx", WRONG_CLASS),
    ("multiclass_hinge", {"variant": "crammer_singer"}, "mc_logit_onehot", WRONG_CLASS),
    ("poly1", {}, "mc_prob_idx", PROBABILITIES),
    ("poly1", {"from_logits": True, "epsilon": 2.0}, "mc_logit_idx", WRONG_CLASS),
    ("contrastive", {}, "pairs", FAR_PAIR),
    ("contrastive", {"convention": "pair"}, "pairs", FAR_PAIR),
    ("triplet", {}, "triplets", INF_EMBEDDING),
    ("triplet", {"squared": True, "eps": 1e-6}, "triplets", INF_EMBEDDING),
    ("margin_ranking", {"margin": 0.5}, "ranking", WRONG_LOGIT),
    ("info_nce", {}, "nce", INF_EMBEDDING),
    ("info_nce", {"normalize": False}, "nce_in_batch", INF_EMBEDDING),
    ("multiple_negatives_ranking", {}, "nce", INF_EMBEDDING),
    ("multiple_negatives_ranking", {}, "nce_in_batch", INF_EMBEDDING),
    ("arcface", {"s": 8.0, "m": 0.3}, "arcface", INF_EMBEDDING),
    ("ge2e", {"w": 5.0, "b": -2.0}, "ge2e", INF_EMBEDDING),
    ("ge2e", {"normalize": False}, "ge2e", INF_EMBEDDING),
    ("mae", {}, "regression", INF_EMBEDDING),
    ("mse", {}, "regression", INF_EMBEDDING),
    ("huber", {"delta": 0.5}, "regression", INF_EMBEDDING),
]
SOFTSET = ["soft_accuracy_loss", "soft_f1_loss", "soft_fbeta_loss", "soft_balanced_accuracy_loss",
           "soft_jaccard_loss", "soft_gmean_loss"]
for _name in SOFTSET:
    CASES += [
        (_name, {}, "prob", PROBABILITIES),
        (_name, {"tau": [0.3, 0.5, 0.7]}, "prob", PROBABILITIES),
        (_name, {"approx": "sigmoid"}, "prob", PROBABILITIES),
        (_name, {"lookup": 64}, "prob", PROBABILITIES),
        (_name, {"from_logits": True}, "logit", SIGMOID_BOUNDED),
    ]
CASES += [
    ("soft_f1_loss", {"tau": [0.3, 0.5, 0.7]}, "prob_region", PROBABILITIES),
    ("soft_gmean_loss", {"tau": [0.3, 0.5, 0.7]}, "prob_region", PROBABILITIES),
    ("soft_auroc_loss", {}, "prob", PROBABILITIES),
    ("soft_auroc_loss", {"approx": "sigmoid", "n_intervals": 5}, "prob", PROBABILITIES),
    ("soft_auroc_loss", {"lookup": 64}, "prob", PROBABILITIES),
    ("soft_auroc_loss", {"from_logits": True}, "logit", SIGMOID_BOUNDED),
]


def _id(case):
    name, params, kind, _ = case
    extra = ",".join(f"{k}={v}" for k, v in params.items())
    return f"{name}[{kind}{',' + extra if extra else ''}]"


def _float_inputs(kind):
    """Indices of the floating inputs of ``kind`` (integer class indices cannot hold a NaN)."""
    return [i for i, x in enumerate(INPUTS[kind]) if np.issubdtype(np.asarray(x).dtype, np.floating)]


def _call(name, params, arrays, backend, dtype):
    params = dict(params)
    params.setdefault("reduction", "mean")
    return to_numpy(LOSSES[name].fn(*[to_backend(a, backend, dtype) for a in arrays], **params))


def _with(kind, where, value):
    arrays = [np.array(a, copy=True) for a in INPUTS[kind]]
    i, flat = where
    arrays[i] = arrays[i].astype(np.float64)
    arrays[i].flat[flat] = value
    return arrays


# NumPy's "invalid value" / "overflow" RuntimeWarnings are what a NaN or inf input does
# (inf - inf, 0 * inf, exp(inf)): expected in the tests that feed them, nowhere else
NONFINITE_WARNINGS = [pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
                      pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")]


def _quiet(test):
    for mark in NONFINITE_WARNINGS:
        test = mark(test)
    return test


def test_every_registered_loss_is_covered():
    from lossfns.losses.softset import counts
    assert {c[0] for c in CASES} == set(LOSSES)
    assert len(INPUTS["prob_region"][0]) >= counts._REGION_MIN_N  # the region path is exercised


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_clean_inputs_give_a_finite_loss(case):
    # the baseline: what the NaN and inf tests below change is the injected value only
    name, params, kind, _ = case
    for backend in BACKENDS:
        assert np.all(np.isfinite(_call(name, params, INPUTS[kind], backend, np.float64))), backend


@_quiet
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_nan_input_gives_nan_with_checks_off(case, dtype):
    name, params, kind, _ = case
    failures = []
    with lossfns.value_checks(False):
        for i in _float_inputs(kind):
            arrays = _with(kind, (i, 0), np.nan)
            for backend in BACKENDS:
                out = _call(name, params, arrays, backend, dtype)
                if not np.isnan(out).any():
                    failures.append(f"NaN in input {i} on {backend}: {out}")
    assert not failures, failures


@_quiet
@pytest.mark.parametrize("case", [c for c in CASES if c[3] is not None], ids=_id)
def test_inf_input_gives_non_finite_with_checks_off(case):
    name, params, kind, where = case
    arrays = _with(kind, where, np.inf)
    failures = []
    with lossfns.value_checks(False):
        for backend in BACKENDS:
            out = _call(name, params, arrays, backend, np.float64)
            if np.all(np.isfinite(out)):
                failures.append(f"+inf in input {where[0]} on {backend}: {out}")
    assert not failures, failures


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_nan_input_is_an_error_with_checks_on(case):
    name, params, kind, _ = case
    for i in _float_inputs(kind):
        arrays = _with(kind, (i, 0), np.nan)
        for backend in BACKENDS:
            with pytest.raises(ValueError, match="must be finite|must lie in|must contain only"):
                _call(name, params, arrays, backend, np.float64)


@_quiet
def test_issue_example_bce_is_nan_not_25():
    y = np.array([0.9, np.nan, 0.2, 0.7])
    t = np.array([1.0, 1.0, 0.0, 1.0])
    with lossfns.value_checks(False):
        for backend in BACKENDS:
            assert np.isnan(_call("binary_cross_entropy", {}, [y, t], backend, np.float64)), backend
    with pytest.raises(ValueError, match="y_pred must be finite"):
        lossfns.binary_cross_entropy(y, t)


@_quiet
def test_helpers_with_guards_propagate_nan():
    # not registered losses, but built on the same guards: the table lookup (a NaN index
    # would be out of range), the Xtreme Margin terms
    from lossfns.losses.softset import heaviside_lookup
    from lossfns.losses.xtreme_margin import xm_g_term, xm_s_term
    p = np.array([np.nan, 0.25, 0.75])
    with lossfns.value_checks(False):
        for backend in BACKENDS:
            x = to_backend(p, backend)
            for interpolate in (True, False):
                for tau in (0.5, [0.3, 0.7]):
                    h = to_numpy(heaviside_lookup(x, tau, size=50, interpolate=interpolate))
                    assert np.isnan(h[..., 0]).all() and np.isfinite(h[..., 1:]).all(), (backend, interpolate, tau)
    t = np.array([1.0, 1.0, 0.0])
    for term in (xm_s_term(p, t, NUMPY), xm_g_term(p, t, NUMPY, 1.0, 2.0)):
        assert np.isnan(term[0]) and np.isfinite(term[1:]).all()


def test_guards_keep_values_and_gradients_finite_at_their_boundaries():
    # the guards were rewritten (NaN now takes the computed branch); at the points they
    # guard (p = 0 or 1, zero distance, zero count) values and gradients stay finite
    import torch

    def grads(fn, *arrays, **params):
        xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
        out = fn(*xs, **params)
        out.backward()
        return float(out.detach()), [x.grad.numpy() for x in xs]

    t = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    edge = np.array([0.0, 1.0, 1.0, 0.0])
    cases = [
        (lambda y: lossfns.binary_cross_entropy(y, t), [edge]),
        (lambda y: lossfns.weighted_bce(y, t), [edge]),
        (lambda y: lossfns.focal(y, t, gamma=0.5), [edge]),
        (lambda y: lossfns.soft_gmean_loss(y, t), [np.array([0.0, 1.0, 0.0, 1.0])]),   # TN_s = 0
        (lambda y: lossfns.wmw_auroc_loss(y, t), [np.array([0.9, 0.1, 0.8, 0.2])]),   # all pairs past gamma
        (lambda q: lossfns.kl_divergence(q, torch.tensor([[0.0, 1.0], [0.5, 0.5]], dtype=torch.float64)),
         [np.array([[0.3, 0.7], [0.5, 0.5]])]),
        (lambda a, p, n: lossfns.triplet(a, p, n), [np.ones((2, 3)), np.ones((2, 3)), np.zeros((2, 3))]),
    ]
    for fn, arrays in cases:
        value, gs = grads(fn, *arrays)
        assert np.isfinite(value) and all(np.isfinite(g).all() for g in gs), fn
