"""The generic bad-input suite: every bad input gives a ValueError/TypeError whose
message names the argument, what was expected and what came.

Cases span the catalogue of documents 000/001 (colleagues add cases for their
own losses in their own test files) and the three backends.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import torch

import lossfns
import lossfns.keras as lk
import lossfns.torch as lt
from lossfns._ops import get_ops
from lossfns._validation import check_scalar, prepare_binary
from lossfns.losses.classification import binary_cross_entropy, hinge, margin_hinge
from lossfns.losses.polynomial import broken_loss, l6, l24, sigmoid_free
from lossfns.losses.xtreme_margin import conditional_risk, xtreme_margin
from lossfns.metrics import conditional_accuracy

Y = np.array([0.2, 0.7, 0.9])
T = np.array([0.0, 1.0, 1.0])


def K(x):
    return keras.ops.convert_to_tensor(x)


def TT(x):
    return torch.as_tensor(x)


# (id, callable, exception, message regex)
CASES = [
    # --- shapes
    ("shape_mismatch_numpy", lambda: xtreme_margin(Y, T[:2]), ValueError,
     r"Expected y_true of shape \(3,\) \(the shape of y_pred\), got \(2,\)"),
    ("shape_no_silent_broadcast", lambda: binary_cross_entropy(Y[:, None], T), ValueError,
     r"Expected y_true of shape \(3, 1\) \(the shape of y_pred\), got \(3,\)"),
    ("shape_mismatch_torch", lambda: l6(TT(Y), TT(T[:1])), ValueError,
     r"Expected y_true of shape \(3,\) \(the shape of y_pred\), got \(1,\)"),
    ("shape_mismatch_keras", lambda: hinge(K(Y), K(T[:2])), ValueError,
     r"Expected y_true of shape \(3,\) \(the shape of y_pred\), got \(2,\)"),
    ("empty_batch", lambda: l24(np.zeros(0), np.zeros(0)), ValueError,
     r"y_pred must not be empty, got shape \(0,\)"),
    ("empty_batch_torch", lambda: xtreme_margin(torch.zeros(0, 1), torch.zeros(0, 1)), ValueError,
     r"y_pred must not be empty, got shape \(0, 1\)"),
    # --- labels
    ("label_2", lambda: xtreme_margin(Y, np.array([0, 1, 2])), ValueError,
     r"y_true must contain only labels \{0, 1\}, found 2"),
    ("label_minus1_for_01", lambda: hinge(Y, np.array([-1, 1, 1])), ValueError,
     r"y_true must contain only labels \{0, 1\}, found -1"),
    ("label_0_for_pm1", lambda: margin_hinge(Y, T, labels="pm1"), ValueError,
     r"y_true must contain only labels \{-1, 1\}, found 0"),
    ("soft_label", lambda: binary_cross_entropy(Y, np.array([0.0, 0.5, 1.0])), ValueError,
     r"y_true must contain only labels \{0, 1\}, found 0.5"),
    ("label_keras", lambda: l6(K(Y), K(np.array([0.0, 3.0, 1.0]))), ValueError,
     r"y_true must contain only labels \{0, 1\}, found 3"),
    ("bad_label_set_name", lambda: sigmoid_free(Y, T, labels="pm"), ValueError,
     r"labels must be one of \('01', 'pm1'\), got 'pm'"),
    # --- probabilities outside [0, 1]
    ("prob_above_1", lambda: xtreme_margin(np.array([0.2, 1.2, 0.5]), T), ValueError,
     r"y_pred must lie in \[0.0, 1.0\] \(probabilities; pass from_logits=True for logits\), "
     r"got values in \[0.2, 1.2\]"),
    ("prob_negative", lambda: binary_cross_entropy(np.array([-0.1, 0.5, 0.5]), T), ValueError,
     r"y_pred must lie in \[0.0, 1.0\].*got values in \[-0.1, 0.5\]"),
    ("prob_torch", lambda: broken_loss(TT(np.array([0.2, 0.5, 3.0])), TT(T)), ValueError,
     r"y_pred must lie in \[0.0, 1.0\]"),
    # --- NaN / inf
    ("nan_y_pred", lambda: l24(np.array([0.2, np.nan, 0.5]), T), ValueError,
     r"y_pred must be finite, found nan \(1 non-finite values\)"),
    ("inf_y_pred_logits", lambda: binary_cross_entropy(np.array([np.inf, 0.0, 1.0]), T, from_logits=True),
     ValueError, r"y_pred must be finite, found inf"),
    ("nan_y_true", lambda: xtreme_margin(Y, np.array([0.0, np.nan, 1.0])), ValueError,
     r"y_true must be finite, found nan"),
    ("inf_y_true_torch", lambda: l6(TT(Y), TT(np.array([0.0, -np.inf, 1.0]))), ValueError,
     r"y_true must be finite, found -inf"),
    ("nan_keras", lambda: sigmoid_free(K(np.array([0.0, np.nan, 1.0])), K(T)), ValueError,
     r"y_pred must be finite, found nan"),
    # --- dtypes
    ("int_y_pred", lambda: xtreme_margin(np.array([0, 1, 1]), T), TypeError,
     r"y_pred must have a floating-point dtype, got int64"),
    ("bool_y_pred", lambda: binary_cross_entropy(np.array([False, True, True]), T), TypeError,
     r"y_pred must have a floating-point dtype, got bool"),
    ("int_y_pred_torch", lambda: hinge(torch.tensor([0, 1, 1]), TT(T)), TypeError,
     r"y_pred must have a floating-point dtype, got torch.int64"),
    ("none_y_true", lambda: l24(Y, None), TypeError, r"y_true must be an array, got None"),
    # --- backends
    ("mix_torch_tf", lambda: xtreme_margin(TT(Y), K(T)), TypeError,
     r"inputs mix array backends \['keras', 'torch'\]; pass arrays of one framework"),
    ("mix_tf_torch_labels", lambda: margin_hinge(K(Y), TT(T)), TypeError,
     r"inputs mix array backends \['keras', 'torch'\]"),
    # --- reduction and flags
    ("bad_reduction", lambda: xtreme_margin(Y, T, reduction="avg"), ValueError,
     r"reduction must be one of \('none', 'mean', 'sum'\), got 'avg'"),
    ("bad_reduction_none_obj", lambda: l6(Y, T, reduction=None), ValueError,
     r"reduction must be one of \('none', 'mean', 'sum'\), got None"),
    ("from_logits_not_bool", lambda: binary_cross_entropy(Y, T, from_logits=1), TypeError,
     r"from_logits must be a bool, got 1"),
    # --- hyper-parameters
    ("negative_lambda1", lambda: xtreme_margin(Y, T, lam1=-1.0), ValueError,
     r"lam1 must be in \[0.0, inf\), got -1.0"),
    ("negative_lambda2", lambda: xtreme_margin(Y, T, lam2=-0.5), ValueError,
     r"lam2 must be in \[0.0, inf\), got -0.5"),
    ("nan_lambda", lambda: xtreme_margin(Y, T, lam1=math.nan), ValueError, r"lam1 must be finite, got nan"),
    ("string_lambda", lambda: xtreme_margin(Y, T, lam2="100"), TypeError,
     r"lam2 must be a real number, got str '100'"),
    ("bool_lambda", lambda: xtreme_margin(Y, T, lam1=True), TypeError, r"lam1 must be a real number, got bool True"),
    ("bad_s_reading", lambda: xtreme_margin(Y, T, s_reading="exp"), ValueError,
     r"s_reading must be one of \('product', 'exponential'\), got 'exp'"),
    ("zero_e", lambda: xtreme_margin(Y, T, e=0.0), ValueError, r"e must be in \(0.0, inf\), got 0.0"),
    ("negative_margin", lambda: margin_hinge(Y, T, margin=-1.0), ValueError,
     r"margin must be in \[0.0, inf\), got -1.0"),
    ("bce_eps_out_of_range", lambda: binary_cross_entropy(Y, T, eps=0.7), ValueError,
     r"eps must be in \(0.0, 0.5\), got 0.7"),
    ("negative_c", lambda: l24(Y, T, c=-2.0), ValueError, r"c must be in \(0.0, inf\), got -2.0"),
    ("broken_constant", lambda: broken_loss(Y, T, constant="1/4"), ValueError,
     r"constant must be one of \('7/16', '3/16'\), got '1/4'"),
    ("unknown_kwarg", lambda: l6(Y, T, gamma=2.0), TypeError, r"got an unexpected keyword argument 'gamma'"),
    ("positional_param", lambda: xtreme_margin(Y, T, 1.0), TypeError,
     r"takes 2 positional arguments but 3 were given"),
    # --- wrappers
    ("torch_wrapper_unknown", lambda: lt.XtremeMarginLoss(lamda=2.0), TypeError,
     r"XtremeMarginLoss got unknown parameter\(s\) \['lamda'\]; expected some of \['e', 'from_logits', "
     r"'lam1', 'lam2', 'reduction', 's_reading'\]"),
    ("keras_wrapper_unknown", lambda: lk.L6(gamma=2.0), TypeError,
     r"L6 got unknown parameter\(s\) \['gamma'\]; expected some of \['c', 'from_logits'\]"),
    ("keras_wrapper_validates_at_construction", lambda: lk.XtremeMargin(lam1=-3.0), ValueError,
     r"lam1 must be in \[0.0, inf\), got -3.0"),
    ("torch_wrapper_bad_labels_at_call", lambda: lt.BinaryCrossEntropyLoss()(TT(Y), TT(np.array([0., 2., 1.]))),
     ValueError, r"y_true must contain only labels \{0, 1\}, found 2"),
    ("keras_wrapper_bad_input_at_call", lambda: lk.Hinge()(K(T), K(np.array([0.2, 1.5, 0.3]))),
     ValueError, r"y_pred must lie in \[0.0, 1.0\]"),
    # --- metrics
    ("cond_acc_missing_class", lambda: conditional_accuracy(Y, np.zeros(3), cls=1), ValueError,
     r"y_true has no element of class 1 \(along axis=None\)"),
    ("cond_acc_threshold", lambda: conditional_accuracy(Y, T, threshold=1.0), ValueError,
     r"threshold must be in \(0.0, 1.0\), got 1.0"),
    ("cond_risk_p_range", lambda: conditional_risk(Y, np.array([0.1, 1.1, 0.5])), ValueError,
     r"p_true must lie in \[0.0, 1.0\]"),
    ("cond_risk_bad_loss_param", lambda: conditional_risk(Y, np.array([0.1, 0.9, 0.5]), lam1=-1.0), ValueError,
     r"lam1 must be in \[0.0, inf\), got -1.0"),
    # --- validation helpers directly
    ("check_scalar_integer", lambda: check_scalar("k", 2.5, integer=True), ValueError,
     r"k must be an integer, got 2.5"),
    ("prepare_binary_bad_label_set", lambda: prepare_binary(Y, T, label_set="012"), ValueError,
     r"labels must be one of \('01', 'pm1'\), got '012'"),
    ("get_ops_mixed", lambda: get_ops(TT(Y), K(T)), TypeError, r"inputs mix array backends"),
]


def test_at_least_thirty_distinct_cases():
    assert len({c[0] for c in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("name,call,exc,match", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_catalogue_entries_exist():
    # the suite covers every 000/001 loss in the registry
    covered = {"xtreme_margin", "binary_cross_entropy", "hinge", "margin_hinge", "l24", "l6", "sigmoid_free",
               "broken_loss"}
    assert covered <= set(lossfns.LOSSES)
