import os

# TensorFlow's C++ logging and oneDNN reorderings make output noisy and
# last-digit unstable; tests compare numbers, so pin both before any import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # tests never need a GPU
# One floating-point path on every x86 CPU with AVX2: MKL's conditional numerical
# reproducibility mode and ATen's AVX2 kernels, so that an AVX-512 machine computes what an
# AVX2 machine does (without them, batched and one-at-a-time CNN training differ by 1e-4 in
# float32 on AVX-512 only). The same pins as the notebooks' kernels (lossfns.pipeline.run).
os.environ.setdefault("MKL_CBWR", "AVX2")
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")
# NumPy's SIMD dispatch and OpenBLAS's kernels, read when they load: `make test` exports these
# (the Makefile) before pytest starts; here for a bare `pytest` before NumPy is imported.
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
# torch.compile's kernels in a cache of this test session's own: a kernel that another process
# compiled under other settings (the shared /tmp/torchinductor_<user>) is never reused.
if "TORCHINDUCTOR_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="lossfns-inductor-")
