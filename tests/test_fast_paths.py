"""value_checks(False) and lossfns.torch.compile_loss: speed switches that keep the maths."""

import numpy as np
import pytest
import torch

import lossfns
from lossfns.torch import compile_loss


def test_value_checks_switch_is_scoped():
    bad = np.array([1.5, 0.2])
    t = np.array([1.0, 0.0])
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        lossfns.xtreme_margin(bad, t)
    with lossfns.value_checks(False):
        lossfns.xtreme_margin(bad, t)  # not rejected: the caller vouches for its data
        with pytest.raises(ValueError, match="Expected y_true of shape"):
            lossfns.xtreme_margin(bad, t[:1])  # shape checks always run
    with pytest.raises(ValueError, match="y_true must contain only labels"):
        lossfns.xtreme_margin(np.array([0.2]), np.array([2.0]))


def test_value_checks_restored_after_error():
    with pytest.raises(RuntimeError):
        with lossfns.value_checks(False):
            raise RuntimeError
    with pytest.raises(ValueError, match="must be finite"):
        lossfns.binary_cross_entropy(np.array([np.nan]), np.array([1.0]))


@pytest.mark.slow
def test_compiled_loss_equals_eager():
    torch.manual_seed(0)
    x = torch.randn(64, dtype=torch.float64, requires_grad=True)
    t = (torch.rand(64) > 0.5).double()
    f = compile_loss(lossfns.xtreme_margin, lam1=2.0, lam2=50.0, from_logits=True)
    got = f(x, t)
    (g_got,) = torch.autograd.grad(got, x)
    want = lossfns.xtreme_margin(x, t, lam1=2.0, lam2=50.0, from_logits=True)
    (g_want,) = torch.autograd.grad(want, x)
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(g_got, g_want, rtol=1e-12, atol=1e-12)
