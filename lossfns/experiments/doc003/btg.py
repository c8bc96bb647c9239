r"""Document 003's released package, ``torch-btg`` 0.0.1 (PyPI), as one more reading (issue 25).

The authors published their losses as ``torch-btg`` (modules ``torch_btg.confusion``,
``torch_btg.loss``, ``torch_btg.metric``; it needs torch and NumPy only). It is part of the
suite's lock (requirements/suite.in), not of the core library, and is imported lazily: this
module imports without it, and :func:`load_btg` says how to install it.

What the package computes (read from its source; pinned by tests/test_torch_btg.py):

* ``linear_approx(delta)`` is eq. (5) (:func:`lossfns.losses.softset.heaviside.heaviside_linear`)
  up to an ``EPS = 1e-7`` added to :math:`\tau_m` in the middle slope.
* ``confusion`` is **not** eq. (6) applied to :math:`p - \tau` (register A89): an "inverter"
  evaluates the approximation at the mirrored threshold :math:`1 - \tau` for a positive below
  the threshold (:math:`TP_s = \mathcal{H}(p, 1 - \tau)`) and above it
  (:math:`FN_s = 1 - \mathcal{H}(p, 1 - \tau)`), and for a negative above it
  (:math:`FP_s = \mathcal{H}(p, 1 - \tau)`, :math:`TN_s = 1 - \mathcal{H}(p, 1 - \tau)`). A
  positive's :math:`TP_s + FN_s` is 1 only at :math:`\tau = 0.5` (or :math:`p \in \{0, 1\}`);
  a negative's counts stay a partition. :func:`released_confusion` is this model written with
  the project's :math:`\mathcal{H}`, and equals the package to float tolerance. With the
  sigmoid (``sig(k)``) every example also adds :math:`\sigma(-k\tau')` to the other class's
  counts (its input is zeroed *before* the approximation, and the sigmoid of 0 is not 0).
* the losses average over the thresholds 0.1, ..., 0.9 (the F1 loss rebuilds them inside and
  ignores its ``thresholds`` argument), with ``delta = 0.2`` by default; the AUROC loss
  integrates the soft ROC over those 9 thresholds with the trapezoidal rule after sorting by
  the FPR, without end points, and drops an area that is not positive.
* it is GPU-only as shipped: ``confusion._heaviside_sum`` calls ``.cuda()``.
  :func:`cuda_as_identity` neutralises that call for the duration of one loss call, without
  touching the installed package.

:func:`btg_losses` gives the package's F1, accuracy and AUROC losses as
``(probabilities, targets) -> loss`` callables for :func:`lossfns.training.train_batched`
(reduction ``"pooled"``), :func:`run_table1_btg` trains Table 1 (or Table 4) rows with them
through :func:`tabular.run_losses` (the same protocol, splits and seeds as ours), and
:func:`released_reading_losses` gives the project's own losses at the package's readings (mean
over τ = 0.1, ..., 0.9, δ = 0.2, AUROC without end points), so that a difference between the
package and us splits into the readings and the defect. :func:`partition_grid` and
:func:`side_by_side` compare the two soft confusion matrices for single examples.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd

import lossfns
from lossfns._validation import check_choice, check_scalar
from lossfns.losses.softset.heaviside import heaviside_linear, heaviside_sigmoid

from . import tabular as T

__all__ = ["PACKAGE", "VERSION", "READING", "OURS", "OURS_RELEASED", "RELEASED_DELTA", "METRICS",
           "TABLES", "BtgLoss", "load_btg", "available", "cuda_as_identity", "btg_thresholds",
           "btg_losses", "btg_confusion", "released_confusion", "soft_auroc_interior_loss", "released_reading_losses",
           "run_table1_btg", "run_tables", "beside_ours", "estimates", "reading_table",
           "compare_readings", "side_by_side", "partition_grid", "partition_summary"]

PACKAGE, VERSION = "torch-btg", "0.0.1"
#: the ``reading`` column of the rows trained with the package / with our losses at its readings
READING = f"{PACKAGE} {VERSION}"
OURS_RELEASED = "ours at the released readings"
#: the name of our own rows (tabular.run_table1: eq. 5 at p - τ, τ = 0.5, δ = 0.1) in the tables of readings
OURS = "ours (eq. 5 at p - τ)"
#: the package's default delta of ``linear_approx`` (ours: 0.1, the paper's Table 1 setting)
RELEASED_DELTA = 0.2
#: metric -> our Table 1 row label (tabular.TABLE1_LOSSES)
METRICS = {"f1": "F1*", "accuracy": "Accuracy*", "auroc": "AUROC*"}
_SUFFIX = {READING: " (torch-btg)", OURS_RELEASED: " (ours, released readings)"}
#: approximation -> the table it reproduces (Table 1: linear; Table 4: sigmoid, k = 10)
TABLES = {"linear": "table1", "sigmoid": "table4"}
_EMPTY_STACK = "non-empty TensorList"


def load_btg():
    """The package's modules ``(confusion, loss)``. Its ``loss`` module calls the deprecated
    ``torch.range`` at import (a default argument); that one warning is silenced here.

    Raises:
        ImportError: naming the package and how to install it, when it is not installed.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="torch.range is deprecated", category=UserWarning)
            from torch_btg import confusion, loss
    except ImportError as exc:
        raise ImportError(f"{PACKAGE} is not installed: document 003's released package is part of the "
                          f"suite's lock (requirements/suite.in); install it with "
                          f"`pip install {PACKAGE}=={VERSION} --no-deps` (it needs only torch and numpy)") from exc
    return confusion, loss


def available() -> bool:
    """Whether :func:`load_btg` can import the package."""
    try:
        load_btg()
    except ImportError:
        return False
    return True


def _identity(self, *args, **kwargs):
    return self


@contextlib.contextmanager
def cuda_as_identity():
    """``torch.Tensor.cuda`` is the identity inside the block, and what it was after it.

    ``torch-btg`` 0.0.1 is GPU-only as shipped (``confusion._heaviside_sum`` ends in
    ``.cuda()``); with the call neutralised its losses run on the device of their inputs (CPU
    here). The installed package is not modified. Re-entrant (each exit restores what its entry
    found).

    Not thread-safe: the patch is an attribute of the class ``torch.Tensor``, so every thread of
    the process sees it while a block runs; another thread that calls ``.cuda()`` meanwhile gets
    its tensor back unmoved, and two threads entering and leaving out of order can restore each
    other's state. Use it around single-threaded loss calls only (the batched trainer calls a
    pooled loss from one thread).
    """
    import torch
    had_own = "cuda" in torch.Tensor.__dict__
    saved = torch.Tensor.__dict__.get("cuda")
    torch.Tensor.cuda = _identity
    try:
        yield
    finally:
        if had_own:
            torch.Tensor.cuda = saved
        else:
            del torch.Tensor.cuda


def btg_thresholds() -> np.ndarray:
    """The package's 9 thresholds 0.1, ..., 0.9 as it builds them (float32, e.g. 0.30000001),
    in float64: the grid on which our counts equal its counts to float tolerance."""
    import torch
    return torch.arange(0.1, 1, 0.1).double().numpy()


def _approx(confusion, approx: str, delta: float, k: float):
    return confusion.linear_approx(delta) if approx == "linear" else confusion.sig(k)


class BtgLoss:
    """One of the package's losses as ``(probabilities, targets) -> scalar loss tensor`` (the
    first element of the tuple the package returns), run on the inputs' device with ``.cuda()``
    neutralised for the call (:func:`cuda_as_identity`). Pass it to the batched trainer with
    ``loss_reduction="pooled"``.

    Two adaptations, neither of which changes a value the package returns: the loss is cast to
    the dtype of ``probabilities`` (the package's F1 and accuracy losses return float32); and
    where the package's AUROC loss has no positive area to average it raises (``torch.stack`` of
    an empty list) when the batch holds a positive, and returns the constant 1 without a graph
    when it holds none: both become 1 with a zero gradient attached to ``probabilities`` (the
    value the package gives when it does not raise).
    """

    def __init__(self, metric: str, *, approx: str = "linear", delta: float = RELEASED_DELTA, k: float = 10.0):
        self.metric = check_choice("metric", metric, tuple(METRICS))
        self.approx = check_choice("approx", approx, ("linear", "sigmoid"))
        self.delta = check_scalar("delta", delta, low=0.0, high=0.5)
        self.k = check_scalar("k", k, low=0.0, low_open=True)
        self.__name__ = f"btg_{metric}_loss"

    def __repr__(self) -> str:
        par = f"delta={self.delta:g}" if self.approx == "linear" else f"k={self.k:g}"
        return f"BtgLoss({self.metric!r}, approx={self.approx!r}, {par})"

    def __call__(self, probabilities, targets):
        import torch
        if not torch.is_tensor(probabilities) or not torch.is_tensor(targets):
            raise TypeError(f"probabilities and targets must be torch tensors, got "
                            f"{type(probabilities).__name__} and {type(targets).__name__}")
        p = probabilities.reshape(-1)
        y = targets.reshape(-1).to(p.dtype)
        if p.shape != y.shape:
            raise ValueError(f"probabilities and targets must have the same number of elements, "
                             f"got {tuple(probabilities.shape)} and {tuple(targets.shape)}")
        confusion, loss = load_btg()
        approx = _approx(confusion, self.approx, self.delta, self.k)
        if self.metric == "f1":
            fn = loss.mean_fbeta_approx_loss_on(device=p.device, approx=approx)
        elif self.metric == "accuracy":
            fn = loss.mean_accuracy_approx_loss_on(device=p.device, approx=approx)
        else:
            fn = loss.mean_auroc_approx_loss_on(device=p.device, approx=approx)
        with cuda_as_identity():
            try:
                value = fn(p, y)[0]
            except RuntimeError as exc:
                if self.metric != "auroc" or _EMPTY_STACK not in str(exc):
                    raise
                value = torch.ones((), dtype=p.dtype, device=p.device)
        value = value.to(p.dtype)
        if p.requires_grad and not value.requires_grad:
            value = value + 0.0 * p.sum()
        return value


def btg_losses(approx: str = "linear", *, delta: float = RELEASED_DELTA, k: float = 10.0,
               metrics=tuple(METRICS)) -> dict:
    """Table rows trained with the package's own losses: label (``"F1* (torch-btg)"``, ...) ->
    ``(BtgLoss, "pooled")``, the loss specs of :func:`tabular.run_losses`.
    ``approx="linear"`` with the package's default ``delta = 0.2`` (Table 1), or ``"sigmoid"``
    with slope ``k`` (Table 4)."""
    return {METRICS[m] + _SUFFIX[READING]: (BtgLoss(m, approx=approx, delta=delta, k=k), "pooled")
            for m in metrics}


def btg_confusion(p, y, tau, *, delta: float = 0.1, approx: str = "linear", k: float = 10.0) -> dict:
    """The package's soft confusion matrix of predictions ``p`` and labels ``y`` (float64,
    summed over the examples) at thresholds ``tau``: ``{"tp", "fn", "fp", "tn"}`` -> (T,)
    arrays (the package's order of the counts is tp, fn, fp, tn)."""
    import torch
    confusion, _ = load_btg()
    check_choice("approx", approx, ("linear", "sigmoid"))
    pt = torch.as_tensor(np.atleast_1d(np.asarray(p, dtype=np.float64)))
    gt = torch.as_tensor(np.atleast_1d(np.asarray(y, dtype=np.float64)))
    if pt.shape != gt.shape:
        raise ValueError(f"p and y must have the same shape, got {tuple(pt.shape)} and {tuple(gt.shape)}")
    th = torch.as_tensor(np.atleast_1d(np.asarray(tau, dtype=np.float64)))
    with cuda_as_identity():
        tp, fn, fp, tn = confusion.confusion(gt, pt, th, _approx(confusion, approx, delta, k))
    return {"tp": tp.numpy(), "fn": fn.numpy(), "fp": fp.numpy(), "tn": tn.numpy()}


def released_confusion(p, y, tau, *, delta: float = 0.1) -> dict:
    r"""The package's linear soft confusion matrix written with the project's
    :math:`\mathcal{H}^l` (register A89): with :math:`H = \mathcal{H}(p, \tau)` and the mirrored
    :math:`H' = \mathcal{H}(p, 1 - \tau)`, a positive counts :math:`TP_s = H` above the
    threshold and :math:`H'` at or below it, :math:`FN_s = 1 - H` below it and :math:`1 - H'` at
    or above it; a negative counts :math:`FP_s = H`, :math:`TN_s = 1 - H` below the threshold
    and :math:`H'`, :math:`1 - H'` at or above it. Eq. (6) would use :math:`H` everywhere.
    NumPy, ``{"tp", "fn", "fp", "tn"}`` -> (T,) arrays summed over the examples; ``tau`` in
    (0, 1)."""
    p = np.atleast_1d(np.asarray(p, dtype=np.float64))
    y = np.atleast_1d(np.asarray(y, dtype=np.float64))
    if p.shape != y.shape or p.ndim != 1:
        raise ValueError(f"p and y must be 1-D of the same shape, got {p.shape} and {y.shape}")
    tau = np.atleast_1d(np.asarray(tau, dtype=np.float64))
    h = np.atleast_2d(heaviside_linear(p, tau, delta))            # (T, N)
    hm = np.atleast_2d(heaviside_linear(p, 1.0 - tau, delta))     # at the mirrored threshold
    t = tau[:, None]
    above, below = p > t, p < t
    tp = np.where(above, h, hm)
    fn = np.where(below, 1.0 - h, 1.0 - hm)
    fp = np.where(below, h, hm)
    tn = 1.0 - fp
    return {"tp": tp @ y, "fn": fn @ y, "fp": fp @ (1.0 - y), "tn": tn @ (1.0 - y)}


def soft_auroc_interior_loss(y_pred, y_true, *, approx: str = "linear", delta: float = RELEASED_DELTA,
                             k: float = 10.0, thresholds=T.THRESHOLDS):
    """1 - the soft AUROC of the package's reading, on our soft counts (eq. 6): the trapezoidal
    rule over the soft ROC points at ``thresholds`` only (default 0.1, ..., 0.9), sorted by
    FPR, without the end points (0, 0) and (1, 1) that register A31 adds
    (:func:`lossfns.soft_auroc_loss`). Any backend; a scalar."""
    from lossfns._ops import get_ops
    from lossfns.losses._common import safe_div
    tp, fp, fn, tn = lossfns.soft_confusion(y_pred, y_true, tau=np.asarray(thresholds, dtype=np.float64),
                                            approx=approx, delta=delta, k=k)
    ops = get_ops(tp)
    tpr, fpr = safe_div(tp, tp + fn, ops), safe_div(fp, fp + tn, ops)
    # eq. (6) counts: both rates fall as the threshold rises, so the ROC points are already in
    # order of decreasing FPR (the package sorts; ties give zero-width trapezoids either way)
    return 1.0 - 0.5 * ops.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]))


def released_reading_losses(approx: str = "linear", *, delta: float = RELEASED_DELTA, k: float = 10.0) -> dict:
    """Our losses (eq. 5 at p - τ in eq. 6) at the package's readings: the mean over τ = 0.1,
    ..., 0.9 of the soft F1 and accuracy losses, and :func:`soft_auroc_interior_loss`; δ = 0.2
    by default. Label (``"F1* (ours, released readings)"``, ...) -> ``(loss, "pooled")``."""
    check_choice("approx", approx, ("linear", "sigmoid"))
    check_scalar("delta", delta, low=0.0, high=0.5)
    taus = T.THRESHOLDS
    kw = {"approx": approx, "delta": delta, "k": k}
    fns = {"f1": lambda p, t: lossfns.soft_f1_loss(p, t, tau=taus, **kw),
           "accuracy": lambda p, t: lossfns.soft_accuracy_loss(p, t, tau=taus, **kw),
           "auroc": lambda p, t: soft_auroc_interior_loss(p, t, **kw)}
    return {METRICS[m] + _SUFFIX[OURS_RELEASED]: (fns[m], "pooled") for m in METRICS}


def run_table1_btg(dataset, *, trials: int, max_epochs: int, patience: int, approx: str = "linear",
                   delta: float = RELEASED_DELTA, k: float = 10.0, readings=(READING,), quiet: bool = True,
                   stand_in_rows: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Table 1 (``approx="linear"``) or Table 4 (``"sigmoid"``) rows F1*, Accuracy* and AUROC*
    trained with the package's own losses (:func:`btg_losses`) under our protocol:
    :func:`tabular.run_losses` with its defaults (batch 1,024, Adam 1e-3, early stopping
    with ``patience``, best weights restored, trial i: split and initialisation seed ``seed +
    i``: the same splits and initial weights as :func:`tabular.run_table1`).
    ``readings`` may add :data:`OURS_RELEASED` (:func:`released_reading_losses`: our counts at the
    package's readings). Rows as :func:`tabular.run_losses` plus the columns
    ``reading`` and ``approx``; loss labels end in ``" (torch-btg)"`` or ``" (ours, released
    readings)"``."""
    readings = tuple(readings)
    unknown = [r for r in readings if r not in _SUFFIX]
    if not readings or unknown:
        raise ValueError(f"readings must be a non-empty subset of {tuple(_SUFFIX)}, got {readings!r}")
    if READING in readings:
        load_btg()   # fail before any training when the package is missing
    make = {READING: btg_losses, OURS_RELEASED: released_reading_losses}
    frames = [T.run_losses(dataset, make[r](approx, delta=delta, k=k), trials=trials, max_epochs=max_epochs,
                           patience=patience, quiet=quiet, stand_in_rows=stand_in_rows, seed=seed,
                           extra={"reading": r, "approx": approx})
              for r in readings]
    return pd.concat(frames, ignore_index=True)


def run_tables(datasets, approximations, readings, *, trials: int, max_epochs, patience,
               stand_in_rows: int | None = None, quiet: bool = True, seed: int = 0) -> dict:
    """:func:`run_table1_btg` on every dataset of ``datasets`` for each approximation of
    ``approximations`` (``"linear"``: Table 1, ``"sigmoid"``: Table 4): approximation -> rows.
    ``max_epochs`` and ``patience``: an int or a dict dataset -> int
    (:func:`tabular.per_dataset`), as the notebook's own runs take them."""
    approximations = list(approximations)
    bad = [a for a in approximations if a not in TABLES]
    if bad:
        raise ValueError(f"approximations must be a subset of {tuple(TABLES)}, got {approximations!r}")
    return {a: pd.concat([run_table1_btg(ds, trials=trials, max_epochs=T.per_dataset(max_epochs, ds),
                                         patience=T.per_dataset(patience, ds), approx=a, readings=readings,
                                         stand_in_rows=stand_in_rows, quiet=quiet, seed=seed)
                          for ds in datasets], ignore_index=True)
            for a in approximations}


def compare_readings(published: pd.DataFrame, ours: dict, btg: dict) -> dict:
    """Table -> :func:`reading_table` of our rows F1*, Accuracy*, AUROC* (``ours``: approximation ->
    rows of :func:`tabular.run_table1`, or None) beside each reading of ``btg``
    (approximation -> rows of :func:`run_table1_btg`), on the real data sets only (a stand-in's
    numbers are not comparable)."""
    out = {}
    for approx, rows in btg.items():
        table = TABLES[approx]
        readings = {}
        mine = (ours or {}).get(approx)
        if mine is not None:
            mine = mine[mine["loss"].isin(list(METRICS.values())) & ~mine["stand_in"]]
            readings[OURS] = mine
        for name, g in rows[~rows["stand_in"]].groupby("reading", sort=False):
            readings[name] = g
        out[table] = reading_table(published, readings, table)
    return out


def beside_ours(rows: pd.DataFrame, ours: pd.DataFrame | None) -> pd.DataFrame:
    """``rows`` (of :func:`run_table1_btg`) after our own F1*, Accuracy* and AUROC* rows of the
    same data sets (``ours``: rows of :func:`tabular.run_table1`, or None): one frame for
    :func:`~lossfns.experiments.doc003.plots.table1_bars`."""
    if ours is None:
        return rows
    mine = ours[ours["loss"].isin(list(METRICS.values())) & ours["dataset"].isin(set(rows["dataset"]))]
    return pd.concat([mine.assign(reading=OURS), rows], ignore_index=True)


def _base_label(label: str) -> str:
    for suffix in _SUFFIX.values():
        if label.endswith(suffix):
            return label[: -len(suffix)]
    return label


def estimates(results: pd.DataFrame, table: str = "table1") -> dict:
    """Published-number id -> estimate (mean and t-interval over trials) of one reading's rows
    (of :func:`run_table1_btg`, or our own of :func:`tabular.run_table1`): the ids of
    the rows F1*, Accuracy* and AUROC* they were trained for
    (:func:`tabular.table1_estimates` on the labels without their reading suffix)."""
    if "reading" in results and results["reading"].nunique() > 1:
        raise ValueError(f"results must hold one reading, got {sorted(results['reading'].unique())}: "
                         f"select one (results[results['reading'] == ...])")
    return T.table1_estimates(results.assign(loss=results["loss"].map(_base_label)), table)


def reading_table(published: pd.DataFrame, readings: dict, table: str = "table1") -> pd.DataFrame:
    """Which reading the published numbers match: for every published id of ``table`` that a
    reading estimated, the published mean and sd, and per reading (``readings``: name -> its
    rows, e.g. ``{"ours (eq. 5 at p - τ)": results, "torch-btg 0.0.1": btg}``) our mean and
    the verdict of the report's rule (:func:`lossfns.verdicts.number_verdict` with the
    published row); ``matches``: the readings whose verdict is *reproduced* (``"neither"`` when
    none is). ``published``: data/published_numbers.csv indexed by id."""
    from lossfns.verdicts import Published, number_verdict
    if not isinstance(readings, dict) or not readings:
        raise ValueError("readings must be a non-empty dict: reading name -> its result rows")
    est = {name: estimates(rows, table) for name, rows in readings.items()}
    ids = [i for i in dict.fromkeys(k for e in est.values() for k in e) if i in published.index]
    rows = []
    for i in ids:
        pub = published.loc[i]
        row = {"id": i, "published": float(pub["value"]), "published sd": pub.get("pub_sd")}
        matched = []
        for name, e in est.items():
            if i not in e:
                row[name], row[f"{name}: verdict"] = np.nan, "not run"
                continue
            v = number_verdict(Published.from_row(pub), e[i])["verdict"]
            row[name], row[f"{name}: verdict"] = round(e[i].value, 4), v
            if v == "reproduced":
                matched.append(name)
        row["matches"] = ", ".join(matched) if matched else "neither"
        rows.append(row)
    return pd.DataFrame(rows)


def side_by_side(p: float, y: int, taus=(0.3, 0.5, 0.7), *, delta: float = 0.1) -> pd.DataFrame:
    """One example's soft counts, ours (eq. 6) and the package's, at each τ: rows (τ, count)
    with the columns ``ours``, ``torch-btg`` and ``H(p, τ)``; the count ``"sum"`` is the
    example's total (1 for a partition)."""
    check_choice("y", y, (0, 1))
    check_scalar("p", p, low=0.0, high=1.0)
    taus = np.asarray(taus, dtype=np.float64)
    tp, fp, fn, tn = (np.atleast_1d(c) for c in lossfns.soft_confusion(np.array([p]), np.array([float(y)]),
                                                                        tau=taus, delta=delta))
    ours = {"tp": tp, "fn": fn, "fp": fp, "tn": tn}
    theirs = btg_confusion([p], [y], taus, delta=delta)
    h = np.atleast_1d(heaviside_linear(np.array([p]), taus, delta)).ravel()
    counts = ("tp", "fn") if y == 1 else ("fp", "tn")
    rows = []
    for j, t in enumerate(taus):
        for c in counts:
            rows.append({"tau": t, "count": c, "ours": ours[c][j], "torch-btg": theirs[c][j], "H(p, τ)": h[j]})
        rows.append({"tau": t, "count": "sum", "ours": sum(ours[c][j] for c in counts),
                     "torch-btg": sum(theirs[c][j] for c in counts), "H(p, τ)": h[j]})
    return pd.DataFrame(rows).assign(p=p, y=y, delta=delta)[["p", "y", "delta", "tau", "count", "ours",
                                                             "torch-btg", "H(p, τ)"]]


def partition_grid(ps=None, taus=None, *, delta: float = 0.1, approx: str = "linear", k: float = 10.0) -> pd.DataFrame:
    """The two soft confusion matrices of one example on a grid of (p, τ): rows (p, τ, y) with
    ``ours_hit`` / ``ours_miss`` (TP_s / FN_s for a positive, FP_s / TN_s for a negative),
    the package's ``btg_hit`` / ``btg_miss``, their sums (``ours_sum`` is 1: eq. 6 is a
    partition) and ``H`` = our :math:`\\mathcal{H}(p, \\tau)`. Defaults: p = 0, 0.025, ..., 1
    and τ = 0.1, ..., 0.9."""
    check_choice("approx", approx, ("linear", "sigmoid"))
    ps = np.linspace(0.0, 1.0, 41) if ps is None else np.asarray(ps, dtype=np.float64)
    taus = T.THRESHOLDS.astype(np.float64) if taus is None else np.asarray(taus, dtype=np.float64)
    rows = []
    for p in ps:
        h = (heaviside_linear(np.array([p]), taus, delta) if approx == "linear"
             else heaviside_sigmoid(np.array([p]), taus, k))
        h = np.atleast_1d(np.asarray(h)).ravel()
        for y, (hit, miss) in ((1, ("tp", "fn")), (0, ("fp", "tn"))):
            c = btg_confusion([p], [y], taus, delta=delta, approx=approx, k=k)
            for j, t in enumerate(taus):
                rows.append({"p": p, "tau": t, "y": y, "H": h[j], "ours_hit": h[j], "ours_miss": 1.0 - h[j],
                             "btg_hit": c[hit][j], "btg_miss": c[miss][j]})
    df = pd.DataFrame(rows)
    df["ours_sum"] = df["ours_hit"] + df["ours_miss"]
    df["btg_sum"] = df["btg_hit"] + df["btg_miss"]
    return df.assign(delta=delta, approx=approx)


def partition_summary(grid: pd.DataFrame, *, tol: float = 1e-6) -> pd.DataFrame:
    """Per class and τ of a :func:`partition_grid`: the range over p of the package's total
    count of one example (ours is 1), the largest difference of its TP_s (FP_s for a negative)
    from ours, and ``agrees``: whether both counts equal ours within ``tol`` at every p (the
    package's ``EPS`` makes them differ by about 1e-7)."""
    g = grid.assign(d_hit=(grid["btg_hit"] - grid["ours_hit"]).abs(), d_miss=(grid["btg_miss"] - grid["ours_miss"]).abs())
    out = g.groupby(["y", "tau"], sort=True).agg(btg_total_min=("btg_sum", "min"), btg_total_max=("btg_sum", "max"),
                                                  max_diff_hit=("d_hit", "max"), max_diff_miss=("d_miss", "max"))
    out["agrees"] = (out["max_diff_hit"] <= tol) & (out["max_diff_miss"] <= tol)
    out = out.reset_index()
    out.insert(0, "example", out.pop("y").map({1: "positive (TP_s, FN_s)", 0: "negative (FP_s, TN_s)"}))
    return out
