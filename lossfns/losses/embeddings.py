r"""Embedding (metric-learning) losses of document 002: contrastive, triplet, margin
ranking, InfoNCE, Multiple Negatives Ranking, ArcFace and GE2E.

Each takes its natural inputs (embeddings of shape ``(*, D)``, pair labels,
class weights) rather than ``(y_pred, y_true)``; none is a Keras loss. Where
the primer's formula was lost in extraction the cited paper's definition is
implemented, as each docstring says.

Example:
    >>> import numpy as np
    >>> import lossfns
    >>> anchor = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> positive = np.array([[0.0, 0.5], [0.5, 0.0]])
    >>> negative = np.array([[0.5, 1.0], [1.0, 0.5]])
    >>> round(float(lossfns.triplet(anchor, positive, negative, margin=1.0)), 4)
    1.0
    >>> import torch
    >>> from lossfns.torch import TripletLoss
    >>> a, pos, neg = (torch.tensor(v) for v in (anchor, positive, negative))
    >>> round(float(TripletLoss(margin=1.0)(a, pos, neg)), 4)
    1.0
    >>> round(float(torch.nn.TripletMarginLoss(margin=1.0)(a, pos, neg)), 4)
    1.0
"""

from __future__ import annotations

import math


from .._ops import get_ops
from .._validation import (_shape, as_array, check_bool, check_choice, check_finite, check_float, check_labels, check_nonempty, check_rank,
                           check_same_shape, check_scalar, reduce)
from ._registry import register
from .multiclass import _ce_rows, _one_hot, _prepare_multiclass, log_softmax

__all__ = ["contrastive", "triplet", "margin_ranking", "info_nce", "multiple_negatives_ranking",
           "arcface", "ge2e", "l2_normalize"]

CONTRASTIVE_CONVENTIONS = ("hadsell", "pair")


def _safe_norm(x, ops, axis=-1, keepdims=False):
    # sqrt has an infinite derivative at 0: take it of 1 where the squared norm
    # is 0 and return 0 there, so values and gradients stay finite at x = 0. The
    # guard is n2 <= 0, False for NaN: a NaN coordinate gives a NaN norm (issue 19).
    n2 = ops.sum(ops.square(x), axis=axis, keepdims=keepdims)
    zero = n2 <= 0
    return ops.where(zero, ops.zeros_like(n2), ops.sqrt(ops.where(zero, ops.ones_like(n2), n2)))

def l2_normalize(x, axis: int = -1, eps: float = 1e-12):
    r""":math:`x / \max(\lVert x\rVert_2, \epsilon)` along ``axis`` (as ``torch.nn.functional.normalize``).

    Example:
        >>> import numpy as np
        >>> l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
    """
    ops = get_ops(x)
    return x / ops.maximum(_safe_norm(x, ops, axis=axis, keepdims=True), ops.const(eps, x))

def _prepare_embeddings(arrays: dict, *, min_rank=2):
    """Validate float embeddings of one shape ``(*, D)``; returns (ops, arrays...)."""
    ops = get_ops(*arrays.values())
    out = []
    first_name, first = None, None
    for name, x in arrays.items():
        x = as_array(x, name, ops, like=first)
        check_float(x, name, ops)
        check_rank(x, name, min_rank, "embeddings along the last axis")
        check_nonempty(x, name)
        check_finite(x, name, ops)
        if first is None:
            first_name, first = name, x
        else:
            check_same_shape(first, x, first_name, name)
        out.append(ops.cast(x, first))
    return (ops, *out)

def _prepare_pair_labels(y, name, like, ops, label_set):
    y = as_array(y, name, ops, like=like)
    want = _shape(like)[:-1]
    if _shape(y) != want:
        raise ValueError(f"Expected {name} of shape {want} (one label per pair), got {_shape(y)}")
    if ops.is_floating(y):
        check_finite(y, name, ops)
    check_labels(y, name, ops, label_set)
    return ops.cast(y, like)


# --------------------------------------------------------------------------- embeddings

@register("002 sec. Contrastive Loss (Hadsell et al. 2006)", keras=False,
          inputs=("x1", "x2", "y"), tags=("embedding",))
def contrastive(x1, x2, y, *, margin: float = 1.0, convention: str = "hadsell",
                reduction: str = "mean"):
    r"""Contrastive loss on pairs of embeddings (Hadsell, Chopra & LeCun 2006).

    .. math::

        \texttt{"hadsell"} \text{ (default)}:\quad
        L = (1 - Y)\,\tfrac{1}{2} D_W^2 + Y\,\tfrac{1}{2}\{\max(0, m - D_W)\}^2,
        \quad Y = 0 \text{ similar},\ Y = 1 \text{ dissimilar}

        \texttt{"pair"}:\quad
        L = y\, d^2 + (1 - y) \max(m - d, 0)^2,
        \quad y = 1 \text{ similar},\ y = 0 \text{ dissimilar}

    with :math:`D_W = d = \lVert x_1 - x_2 \rVert_2`.

    Source: 002 sec. "Contrastive Loss", which prints both formulas.
    Ambiguity (register): the two disagree on the label meaning (Y = 0 vs
    y = 1 for "similar") and on the factor 1/2. Default: the first, Hadsell et
    al.'s own (the paper the section cites); the second is
    ``convention="pair"``. Both give 0 for similar pairs at distance 0 and
    for dissimilar pairs at distance :math:`\ge m`.

    Gradient: smooth except at :math:`D = m` for dissimilar pairs (a C1 kink:
    the second derivative jumps) and at :math:`D = 0` for dissimilar pairs
    (the norm is not differentiable there; autograd returns 0).

    Range: :math:`[0, \infty)`; dissimilar pairs contribute at most
    :math:`m^2/2` (``"hadsell"``) or :math:`m^2` (``"pair"``).

    Args:
        x1, x2: embeddings of shape ``(*, D)``.
        y: pair labels in {0, 1} of shape ``(*)`` (meaning set by ``convention``).
        margin: :math:`m \ge 0`.
        convention: ``"hadsell"`` or ``"pair"``.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> a, b = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[0.3, 0.4], [0.3, 0.4]])
        >>> contrastive(a, b, np.array([0, 1]), margin=1.0, reduction="none").round(4)
        array([0.125, 0.125])
    """
    check_scalar("margin", margin, low=0.0)
    check_choice("convention", convention, CONTRASTIVE_CONVENTIONS)
    ops, a, b = _prepare_embeddings({"x1": x1, "x2": x2})
    lab = _prepare_pair_labels(y, "y", a, ops, "01")
    diff = a - b
    d2 = ops.sum(ops.square(diff), axis=-1)     # no sqrt: smooth at 0
    d = _safe_norm(diff, ops)
    hinge2 = ops.square(ops.maximum(margin - d, ops.zeros_like(d)))
    if convention == "hadsell":
        loss = 0.5 * (1.0 - lab) * d2 + 0.5 * lab * hinge2
    else:
        loss = lab * d2 + (1.0 - lab) * hinge2
    return reduce(loss, reduction, ops)


@register("002 sec. Triplet Loss (Schroff et al. 2015, eq. 1)", keras=False,
          inputs=("anchor", "positive", "negative"), tags=("embedding",))
def triplet(anchor, positive, negative, *, margin: float = 1.0, squared: bool = False,
            eps: float = 0.0, reduction: str = "mean"):
    r"""Triplet loss on (anchor, positive, negative) embeddings.

    .. math::

        L(A, P, N) = \max\bigl(d(f(A), f(P)) - d(f(A), f(N)) + \alpha,\ 0\bigr),
        \qquad d(u, v) = \lVert u - v + \varepsilon \rVert_2
        \ (\text{or } \lVert u - v\rVert_2^2 \text{ if } \texttt{squared})

    Source: 002 sec. "Triplet Loss" (symbols A, P, N, margin alpha, embedding
    f; the display formula was lost in extraction). Ambiguity (register):
    FaceNet (Schroff et al. 2015, eq. 1), which the section cites, uses
    *squared* distances; the Wikipedia form the section copies, and
    ``torch.nn.TripletMarginLoss``, use the plain Euclidean distance. Default:
    plain distance (``squared=False``); ``squared=True`` is FaceNet's.
    ``eps`` is added to the difference as in ``torch.nn.functional.pairwise_distance``
    (which uses 1e-6); the paper's formula is ``eps=0`` (default). With
    ``eps=1e-6`` this equals ``TripletMarginLoss(margin=margin)``.

    Range: :math:`[0, \infty)`; 0 once the negative is farther than the
    positive by the margin. Gradient: kink at the hinge (loss = 0 boundary);
    the plain norm is not differentiable at :math:`u = v` (autograd returns 0).

    Args:
        anchor, positive, negative: embeddings of shape ``(*, D)``.
        margin: :math:`\alpha \ge 0`.
        squared: use squared Euclidean distances (FaceNet).
        eps: :math:`\varepsilon \ge 0` added to the difference inside the norm.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> a = np.array([[0.0, 0.0]]); p = np.array([[1.0, 0.0]]); n = np.array([[0.0, 1.5]])
        >>> triplet(a, p, n, margin=1.0, reduction="none").round(4)
        array([0.5])
    """
    check_scalar("margin", margin, low=0.0)
    check_scalar("eps", eps, low=0.0)
    check_bool("squared", squared)
    ops, a, p, n = _prepare_embeddings({"anchor": anchor, "positive": positive,
                                        "negative": negative})

    def dist(u, v):
        diff = u - v + eps
        return ops.sum(ops.square(diff), axis=-1) if squared else _safe_norm(diff, ops)

    d_ap, d_an = dist(a, p), dist(a, n)
    loss = ops.maximum(d_ap - d_an + margin, ops.zeros_like(d_ap))
    return reduce(loss, reduction, ops)


@register("002 sec. Margin Ranking Loss", keras=False, inputs=("x1", "x2", "y"),
          tags=("convex", "ranking"))
def margin_ranking(x1, x2, y, *, margin: float = 0.0, reduction: str = "mean"):
    r"""Margin ranking loss on two scores: ``x1`` above ``x2`` where ``y`` is 1, below where -1.

    .. math::

        L(x_1, x_2, y) = \max\bigl(0,\ -y\,(x_1 - x_2) + \mathrm{margin}\bigr)

    Source: 002 sec. "Margin Ranking Loss" (labels :math:`y \in \{1, -1\}`; the
    section shows ``torch.nn.MarginRankingLoss()`` code, whose documented
    formula is the one above, default margin 0; the display formula itself
    was lost). Equal to ``torch.nn.MarginRankingLoss``.

    Range: :math:`[0, \infty)`; convex, piecewise linear, kink at
    :math:`y(x_1 - x_2) = \mathrm{margin}`.

    Args:
        x1, x2: scores of any identical shape ``(*)``, floating.
        y: labels in {-1, 1}, same shape.
        margin: :math:`\ge 0`.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> margin_ranking(np.array([0.8, 0.2]), np.array([0.5, 0.5]), np.array([1, 1]),
        ...                margin=0.1, reduction="none").round(4)
        array([0. , 0.4])
    """
    check_scalar("margin", margin, low=0.0)
    ops, a, b = _prepare_embeddings({"x1": x1, "x2": x2}, min_rank=0)
    lab = as_array(y, "y", ops, like=a)
    check_same_shape(a, lab, "x1", "y")
    if ops.is_floating(lab):
        check_finite(lab, "y", ops)
    check_labels(lab, "y", ops, "pm1")
    lab = ops.cast(lab, a)
    loss = ops.maximum(-lab * (a - b) + margin, ops.zeros_like(a))
    return reduce(loss, reduction, ops)


@register("002 sec. InfoNCE Loss (van den Oord et al. 2018, eq. 4)", keras=False,
          inputs=("query", "positive", "negatives"), class_name="InfoNCELoss",
          tags=("embedding",))
def info_nce(query, positive, negatives=None, *, temperature: float = 0.1,
             normalize: bool = True, reduction: str = "mean"):
    r"""InfoNCE on embeddings: cross-entropy of picking the positive among negatives.

    .. math::

        \mathcal{L}_N = -\log \frac{\exp(\mathrm{sim}(q, k^+)/\tau)}
        {\exp(\mathrm{sim}(q, k^+)/\tau) + \sum_{k^-} \exp(\mathrm{sim}(q, k^-)/\tau)},
        \qquad \mathrm{sim}(u, v) = \frac{u^\top v}{\lVert u\rVert\,\lVert v\rVert}

    Source: 002 sec. "InfoNCE Loss" ("uses categorical cross-entropy loss to
    identify the positive sample amongst a set of unrelated noise samples";
    van den Oord et al.'s eq. 4 with the critic
    :math:`f(x, c) = \exp(\mathrm{sim}/\tau)`). Reading: CPC's bilinear critic
    :math:`\exp(z^\top W c)` is replaced by the temperature-scaled cosine of
    its later use (SimCLR/MoCo); ``normalize=False`` uses the raw dot product.

    Negatives: ``None`` -> in-batch negatives (the other rows' positives, shape
    of the logits ``(N, N)``, target the diagonal); ``(M, D)`` -> the same M
    negatives for every query; ``(N, M, D)`` -> M negatives per query.

    Range: :math:`[0, \infty)`; :math:`\log(1 + K)` for K negatives at equal
    similarity. Smooth (logsumexp, stable for any temperature).

    Args:
        query: ``(N, D)``. positive: ``(N, D)``.
        negatives: ``None``, ``(M, D)`` or ``(N, M, D)``.
        temperature: :math:`\tau > 0`.
        normalize: use cosine similarity (True) or the dot product.
        reduction: ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> info_nce(q, q, temperature=1.0, reduction="none").round(4)
        array([0.3133, 0.3133])
    """
    check_scalar("temperature", temperature, low=0.0, low_open=True)
    check_bool("normalize", normalize)
    ops, q, k = _prepare_embeddings({"query": query, "positive": positive})
    if len(_shape(q)) != 2:
        raise ValueError(f"query must have shape (N, D), got {_shape(q)}")
    if normalize:
        q, k = l2_normalize(q), l2_normalize(k)
    n = _shape(q)[0]
    if negatives is None:
        logits = ops.matmul(q, ops.transpose(k, (1, 0))) / temperature          # (N, N)
        target = _one_hot(ops.linspace(0.0, float(n - 1), n, like=q), n, q, ops)
        return reduce(_ce_rows(logits, target, ops), reduction, ops)
    neg = as_array(negatives, "negatives", ops, like=q)
    check_float(neg, "negatives", ops)
    check_nonempty(neg, "negatives")
    check_finite(neg, "negatives", ops)
    ns, d = _shape(neg), _shape(q)[1]
    if not (len(ns) == 2 and ns[1] == d) and not (len(ns) == 3 and ns[0] == n and ns[2] == d):
        raise ValueError(f"Expected negatives of shape (M, {d}) or ({n}, M, {d}), got {ns}")
    neg = ops.cast(neg, q)
    if normalize:
        neg = l2_normalize(neg)
    pos_logit = ops.sum(q * k, axis=-1, keepdims=True)                          # (N, 1)
    if len(ns) == 2:
        neg_logit = ops.matmul(q, ops.transpose(neg, (1, 0)))                  # (N, M)
    else:
        neg_logit = ops.sum(ops.expand_dims(q, 1) * neg, axis=-1)              # (N, M)
    logits = ops.concatenate([pos_logit, neg_logit], axis=-1) / temperature
    loss = -log_softmax(logits, axis=-1)[..., 0]
    return reduce(loss, reduction, ops)


@register("002 sec. Multiple Negative Ranking Loss (Henderson et al. 2017)", keras=False,
          inputs=("anchor", "positive", "negative"), tags=("embedding",))
def multiple_negatives_ranking(anchor, positive, negative=None, *, scale: float = 20.0,
                               reduction: str = "mean"):
    r"""Multiple-negatives ranking loss on embeddings, with in-batch negatives.

    .. math::

        L_i = -\log \frac{\exp(s\cdot\cos(a_i, p_i))}
        {\sum_{j=1}^{N} \exp(s\cdot\cos(a_i, p_j)) + \sum_{j=1}^{N} \exp(s\cdot\cos(a_i, n_j))}

    (the second sum only when hard negatives ``negative`` are given).

    Source: 002 sec. "Multiple Negative Ranking Loss" (Henderson et al. 2017;
    "only positive pairs ... samples n-1 negative docs in each batch"; the
    section's code uses sbert's ``losses.MultipleNegativesRankingLoss``, whose
    defaults are cosine similarity and ``scale=20``). It is :func:`info_nce`
    with in-batch negatives and :math:`\tau = 1/s` (tested).

    Range: :math:`[0, \infty)`; smooth.

    Args:
        anchor: ``(N, D)``. positive: ``(N, D)``, row i pairs with anchor i.
        negative: optional hard negatives ``(N, D)``, candidates for every anchor.
        scale: :math:`s > 0` (inverse temperature).
        reduction: ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> a = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> multiple_negatives_ranking(a, a, scale=1.0).round(4)
        np.float64(0.3133)
    """
    check_scalar("scale", scale, low=0.0, low_open=True)
    arrays = {"anchor": anchor, "positive": positive}
    if negative is not None:
        arrays["negative"] = negative
    ops, *xs = _prepare_embeddings(arrays)
    if len(_shape(xs[0])) != 2:
        raise ValueError(f"anchor must have shape (N, D), got {_shape(xs[0])}")
    a = l2_normalize(xs[0])
    cands = ops.concatenate([l2_normalize(x) for x in xs[1:]], axis=0)          # (N or 2N, D)
    logits = scale * ops.matmul(a, ops.transpose(cands, (1, 0)))
    n, m = _shape(a)[0], _shape(cands)[0]
    target = _one_hot(ops.linspace(0.0, float(n - 1), n, like=a), m, a, ops)
    return reduce(_ce_rows(logits, target, ops), reduction, ops)


@register("002 sec. Additive Angular Margin Loss (ArcFace)", keras=False,
          inputs=("features", "weight", "labels"), class_name="ArcFaceLoss",
          tags=("embedding", "multiclass"))
def arcface(features, weight, labels, *, s: float = 64.0, m: float = 0.5,
            reduction: str = "mean"):
    r"""ArcFace (additive angular margin) loss on features, class weights and labels.

    .. math::

        L_i = -\log \frac{e^{s\cos(\theta_{y_i} + m)}}
        {e^{s\cos(\theta_{y_i} + m)} + \sum_{j=1, j \ne y_i}^{n} e^{s\cos\theta_j}},
        \qquad \cos\theta_j = \frac{W_j^\top x_i}{\lVert W_j\rVert\,\lVert x_i\rVert}

    (the document's :math:`\frac{1}{N}\sum_i` is ``reduction="mean"``).

    Source: 002 sec. "Additive Angular Margin Loss" (formula printed, with a
    stray capital S in the numerator that is the same scale s). Reading: the
    formula literally, :math:`\cos(\theta_y + m)` for all :math:`\theta_y`,
    computed as :math:`\cos\theta\cos m - \sin\theta\sin m` with
    :math:`\sin\theta = \sqrt{1-\cos^2\theta}`. The insightface code replaces
    it by :math:`\cos\theta - m\sin m` when :math:`\theta + m > \pi` (to keep
    the target logit monotone); that fix is not in the document and not here.
    Defaults s = 64, m = 0.5 are the paper's.

    Range: :math:`[0, \infty)`. Gradient: smooth except where
    :math:`\cos\theta_y = \pm 1` (:math:`\sin\theta` has an infinite slope
    there; it is guarded to a finite 0) and at zero-norm inputs.

    Args:
        features: ``(N, D)`` embeddings :math:`x_i`.
        weight: ``(C, D)`` class centres :math:`W_j`.
        labels: ``(N,)`` integer class indices in [0, C).
        s: scale :math:`s > 0` (hypersphere radius).
        m: angular margin :math:`m \in [0, \pi)`.
        reduction: ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0, 0.0]]); W = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> arcface(x, W, np.array([0]), s=1.0, m=0.5, reduction="none").round(4)
        array([0.3477])
    """
    check_scalar("s", s, low=0.0, low_open=True)
    check_scalar("m", m, low=0.0, high=math.pi, high_open=True)
    ops = get_ops(features, weight, labels)
    x = as_array(features, "features", ops)
    w = as_array(weight, "weight", ops, like=x)
    for name, arr in (("features", x), ("weight", w)):
        check_float(arr, name, ops)
        if len(_shape(arr)) != 2:
            raise ValueError(f"{name} must have shape ({'N' if name == 'features' else 'C'}, D), "
                             f"got {_shape(arr)}")
        check_nonempty(arr, name)
        check_finite(arr, name, ops)
    if _shape(w)[1] != _shape(x)[1]:
        raise ValueError(f"Expected weight of shape (C, {_shape(x)[1]}) (same D as features), "
                         f"got {_shape(w)}")
    w = ops.cast(w, x)
    cos = ops.matmul(l2_normalize(x), ops.transpose(l2_normalize(w), (1, 0)))   # (N, C)
    ops, cos, t = _prepare_multiclass(cos, labels, probabilities=False, one_hot_only=True)
    v = 1.0 - ops.square(cos)
    zero = v <= 0                      # False for NaN: a NaN cosine gives a NaN sine
    sin = ops.where(zero, ops.zeros_like(v), ops.sqrt(ops.where(zero, ops.ones_like(v), v)))
    cos_m = cos * math.cos(m) - sin * math.sin(m)                     # cos(theta + m)
    logits = s * ops.where(t > 0, cos_m, cos)
    return reduce(_ce_rows(logits, t, ops), reduction, ops)


@register("002 sec. Generalized End-to-End Loss (Wan et al. 2018, eq. 6, 9)", keras=False,
          inputs=("embeddings",), class_name="GE2ELoss", tags=("embedding",))
def ge2e(embeddings, *, w: float = 10.0, b: float = -5.0, normalize: bool = True,
         reduction: str = "mean"):
    r"""Generalized end-to-end (GE2E) loss on speaker embeddings, softmax variant.

    .. math::

        L(e_{ji}) = -S_{ji,j} + \log \sum_{k=1}^{N} \exp(S_{ji,k}),
        \qquad S_{ji,k} = \begin{cases}
        w \cos(e_{ji}, c_j^{(-i)}) + b & k = j \\
        w \cos(e_{ji}, c_k) + b & k \ne j \end{cases}

        c_k = \frac{1}{M}\sum_{m=1}^{M} e_{km}, \qquad
        c_j^{(-i)} = \frac{1}{M-1}\sum_{m \ne i} e_{jm}

    Source: 002 sec. "Generalized End-to-End Loss" names Wan et al. (ICASSP
    2018); its formulas were lost in extraction, these are the paper's
    eq. (1), (6), (8), (9) (the softmax variant, with the exclusive centroid for
    the own speaker). The paper's embeddings are L2-normalised network outputs
    (``normalize=True``; False uses the given vectors). The paper sums over all
    (j, i); ``reduction="sum"`` gives that, ``"mean"`` divides by N M. The paper
    keeps :math:`w > 0`; ``w`` and ``b`` are learnable there (pass the current
    values; initial 10 and -5 as in the paper).

    Range: :math:`[0, \infty)`; :math:`\log N` when all similarities are equal.
    Smooth (logsumexp).

    Args:
        embeddings: ``(N, M, D)``: N >= 2 speakers, M >= 2 utterances each.
        w: scale :math:`w > 0`. b: bias.
        normalize: L2-normalise each embedding first.
        reduction: ``"none"`` (shape ``(N, M)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> e = np.array([[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]])
        >>> ge2e(e, w=1.0, b=0.0).round(4)
        np.float64(0.3133)
    """
    check_scalar("w", w, low=0.0, low_open=True)
    check_scalar("b", b)
    check_bool("normalize", normalize)
    ops, e = _prepare_embeddings({"embeddings": embeddings}, min_rank=3)
    shp = _shape(e)
    if len(shp) != 3 or shp[0] < 2 or shp[1] < 2:
        raise ValueError(f"embeddings must have shape (N, M, D) with N >= 2 speakers and M >= 2 "
                         f"utterances, got {shp}")
    n, m_utt = shp[0], shp[1]
    if normalize:
        e = l2_normalize(e)
    e_hat = l2_normalize(e)
    cen = ops.mean(e, axis=1)                                              # (N, D)
    cos_all = ops.matmul(e_hat, ops.transpose(l2_normalize(cen), (1, 0)))  # (N, M, N)
    excl = (m_utt * ops.expand_dims(cen, 1) - e) / (m_utt - 1.0)          # (N, M, D)
    cos_self = ops.sum(e_hat * l2_normalize(excl), axis=-1)               # (N, M)
    eye = _one_hot(ops.linspace(0.0, float(n - 1), n, like=e), n, e, ops)  # (N, N)
    own = ops.expand_dims(eye, 1) > 0                                      # (N, 1, N)
    sim = w * ops.where(own, ops.expand_dims(cos_self, -1) + ops.zeros_like(cos_all),
                        cos_all) + b
    loss = -ops.sum(sim * ops.cast(own, sim), axis=-1) + ops.logsumexp(sim, axis=-1)
    return reduce(loss, reduction, ops)


