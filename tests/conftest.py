import os

# TensorFlow's C++ logging and oneDNN reorderings make output noisy and
# last-digit unstable; tests compare numbers, so pin both before any import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # tests never need a GPU
