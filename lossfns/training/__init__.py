"""Trainers: batched PyTorch MLPs (many models at once), the faithful Keras loop, splits.

The Keras trainer lives in :mod:`lossfns.training.keras_trainer` and is not
imported here (importing TensorFlow takes seconds).
"""
from .batched import (Task, TrainResult, cv_tasks, model_seed, predict, resolve_device,
                      train_batched)
from .mlp import BOUNDARY_SPEC, PAPER000_SPEC, PAPER003_SPEC, MLPSpec, forward, glorot_init
from .optim import SGD, Adam, RMSprop, make_optimizer
from .splits import (IMAGE_FRACTIONS, TABULAR_FRACTIONS, Split, standardize, stratified_kfold,
                     train_val_test_split)

__all__ = ["Task", "TrainResult", "cv_tasks", "model_seed", "predict", "resolve_device",
           "train_batched", "BOUNDARY_SPEC", "PAPER000_SPEC", "PAPER003_SPEC", "MLPSpec", "forward",
           "glorot_init", "SGD", "Adam", "RMSprop", "make_optimizer", "IMAGE_FRACTIONS",
           "TABULAR_FRACTIONS", "Split", "standardize", "stratified_kfold", "train_val_test_split"]
