"""Loss benchmark (issue 3, part A): forward+backward time per batch.

    python benchmarks/bench_losses.py [--quick]

Writes ``benchmarks/results/losses.json`` atomically (temp file + rename) and
prints a Markdown table. See ``docs/benchmarks-losses.md`` for the results.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


# ------------------------------------------------------------------------------------------
# The paper's own TensorFlow formulation (document 000, Sec. 5), batch size 1 only.
# Kept here, not in the package: it is the speed anchor of the benchmark.
# ------------------------------------------------------------------------------------------

LMBDA1 = 1.0  # "User-defined hyperparameter" (module globals, as in the paper)
LMBDA2 = 1.0


def xtreme_margin_paper_tf(y_true, y, lmbda1=None, lmbda2=None):
    """Document 000, Sec. 5, transcribed: works for a batch of size 1 only.

    Two forced deviations from the printed code: Keras 3 has no
    ``keras.backend.mean`` (``tf.reduce_mean`` is used), and the lambdas can be
    passed as arguments (default: the module globals ``LMBDA1``/``LMBDA2``).
    The constant is the paper's 2.718 and ``y_pred = 1`` needs ``y > 0.5``
    strictly (``tf.greater``); at ``y = 0.5`` both readings give ``e/2``.
    """
    import tensorflow as tf

    lmbda1 = LMBDA1 if lmbda1 is None else lmbda1
    lmbda2 = LMBDA2 if lmbda2 is None else lmbda2

    def indicator1(y_true, y_pred):
        if tf.equal(tf.dtypes.cast(y_true, tf.float32), y_pred) and tf.equal(
                tf.dtypes.cast(y_true, tf.float32), tf.constant(0.)):
            return tf.constant(1.)
        else:
            return tf.constant(0.)

    def indicator2(y_true, y_pred):
        if tf.equal(tf.dtypes.cast(y_true, tf.float32), y_pred) and tf.equal(
                tf.dtypes.cast(y_true, tf.float32), tf.constant(1.)):
            return tf.constant(1.)
        else:
            return tf.constant(0.)

    def sigma(y, y_true):
        if tf.less(tf.abs(tf.subtract(y, tf.dtypes.cast(y_true, tf.float32))), 0.5):
            out = 0.
        else:
            out = tf.subtract(tf.divide(1, tf.multiply(
                2.718, tf.abs(tf.subtract(tf.dtypes.cast(y_true, tf.float32), y)))), 1.)
        return out

    y_pred = tf.reshape(tf.constant(1.), [1, 1]) if tf.equal(
        tf.greater(y, tf.constant(0.5)), True) else tf.reshape(tf.constant(0.), [1, 1])
    loss = tf.divide(1., tf.add(1., tf.add(sigma(y, y_true), tf.add(
        tf.multiply(indicator1(y_true, y_pred), tf.multiply(lmbda1, tf.square(
            tf.subtract(tf.multiply(2., y), 1.)))),
        tf.multiply(indicator2(y_true, y_pred), tf.multiply(lmbda2, tf.square(
            tf.subtract(tf.multiply(2., y), 1.))))))))
    return tf.reduce_mean(loss, axis=-1)
