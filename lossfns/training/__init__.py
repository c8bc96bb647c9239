"""Data and training layer: trainers, model specs, optimisers, splits, samplers, devices.

Batched PyTorch MLPs (many models at once, :mod:`.batched`), CNNs for
images (:mod:`.cnn`: a small CNN, Tiny Darknet), early stopping
(:mod:`.early_stopping`), per-epoch probes (:mod:`.probes`), the faithful
Keras loop (:mod:`.keras_trainer`, not imported here: importing TensorFlow
takes seconds), splits (:mod:`.splits`), class weights and oversampling
(:mod:`.samplers`) and the one device rule (:mod:`.device`). The networks of
the documents (``PAPER000_SPEC``...) live with their protocols in
:mod:`lossfns.experiments`.
"""
from .._deprecation import moved_names
from .batched import Task, TrainResult, cv_tasks, model_seed, pooled, predict, train_batched
from .cnn import SMALL_CNN, TINY_DARKNET, CNNSpec, predict_cnn, train_cnn
from .device import DEVICES, resolve_device
from .early_stopping import EarlyStopping
from .mlp import forward, glorot_init
from .optim import SGD, Adam, RMSprop, make_optimizer
from .probes import PROBE_NAMES, ProbeRecorder, set_probes
from .samplers import class_weights, random_oversample
from .spec import MLPSpec
from .splits import (IMAGE_FRACTIONS, TABULAR_FRACTIONS, Split, standardize, stratified_kfold,
                     train_val_test_split)

__all__ = ["Task", "TrainResult", "cv_tasks", "model_seed", "predict", "resolve_device", "DEVICES",
           "train_batched", "MLPSpec", "forward", "glorot_init", "SGD", "Adam", "RMSprop",
           "make_optimizer", "class_weights", "random_oversample", "IMAGE_FRACTIONS",
           "TABULAR_FRACTIONS", "Split", "standardize", "stratified_kfold", "train_val_test_split",
           "pooled", "EarlyStopping", "CNNSpec", "SMALL_CNN", "TINY_DARKNET", "train_cnn", "predict_cnn", "PROBE_NAMES", "ProbeRecorder", "set_probes"]

__getattr__ = moved_names(__name__, {
    "PAPER000_SPEC": "lossfns.experiments.doc000.protocols:PAPER000_SPEC",
    "BOUNDARY_SPEC": "lossfns.experiments.doc000.protocols:BOUNDARY_SPEC",
    "PAPER003_SPEC": "lossfns.experiments.doc003.theory:PAPER003_SPEC",
})
