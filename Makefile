# lossfns: set-up, tests and the replication pipeline.
#   make setup       .venv from the lock (TORCH_INDEX=https://download.pytorch.org/whl/cpu: torch's
#                    CPU build on Linux, where PyPI's is the CUDA one); every target below needs it
#   make test        set up .venv from the lock, then pytest + nbval (installs no system package)
#   make browser     Debian's chromium for the site's browser test (apt-get, as root; .ci/run
#                    calls it): the only target that installs a system package
#   make lock        regenerate requirements/lock.txt and environment.yml from pyproject.toml
#                    (needs the package registries; never run by a test or CI)
#   make reproduce   set up, fetch Fashion-MNIST (make data), then run every notebook in the
#                    full profile (incremental; FORCE=1 re-runs everything)
#   make quick       every notebook in the quick profile (incremental; refreshes notebooks/)
#   make report      reports/REPLICATION.md;  make site: site/index.html and the API reference
#   make api         the API reference from the docstrings (MkDocs, offline): site/api/index.html
#   make clean       remove the venv, build products and quick-profile artefacts
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK := requirements/lock.txt
# The environment's stamp is named after the sha256 of pyproject.toml and the lock, so it follows
# their content, not their timestamps: a git checkout that leaves both unchanged reinstalls
# nothing, a changed lock reinstalls once. ($(VENV)/.installed holds the same hash.)
ENV_HASH := $(shell cat pyproject.toml $(LOCK) 2>/dev/null | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-64)
INSTALLED := $(VENV)/.installed-$(ENV_HASH)
# An extra index for torch alone, e.g. https://download.pytorch.org/whl/cpu (the CPU build, where
# PyPI's Linux torch is the CUDA build): used by the first `make setup` (or after `make clean`).
TORCH_INDEX ?=
KERNEL := lossfns
PKG_SRC := $(shell find lossfns -name '*.py' -not -path '*/__pycache__/*' 2>/dev/null) pyproject.toml
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NAMES := $(notdir $(basename $(NOTEBOOKS)))
# A notebook that ran leaves a stamp in an ignored folder (never a committed file), so a fresh
# clone re-executes every notebook and later runs are incremental.
STAMPS := .make/stamps
QUICK := $(foreach n,$(NAMES),$(STAMPS)/quick/$(n).done)
FULL := $(foreach n,$(NAMES),$(STAMPS)/full/$(n).done)
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
# One floating-point path on every x86 CPU with AVX2 (MKL's reproducibility mode, ATen's AVX2
# kernels, NumPy's SIMD dispatch without its AVX-512 targets, OpenBLAS's Haswell kernels, oneDNN
# up to AVX2): committed outputs must not depend on AVX-512 (see lossfns.pipeline.run.KERNEL_ENV
# and docs/cluster.md). The kernel spec below carries the same pins for kernels started outside make.
export MKL_CBWR := AVX2
export ATEN_CPU_CAPABILITY := avx2
export NPY_DISABLE_CPU_FEATURES := X86_V4 AVX512_ICL AVX512_SPR
export OPENBLAS_CORETYPE := Haswell
export ONEDNN_MAX_CPU_ISA := AVX2
PYTEST_ARGS ?=
# Extra `lossfns.run execute` options for every notebook, e.g. RUN_ARGS='-p device cuda'
# (make reproduce FORCE=1 RUN_ARGS=...: the parameter must exist in every notebook).
RUN_ARGS ?=

.PHONY: all setup browser lock data test quick reproduce report site api clean _quick _full
.DELETE_ON_ERROR:

all: test

setup: $(INSTALLED)

# No prerequisites: the stamp's name carries the hash of pyproject.toml and the lock.
$(INSTALLED):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: '$(PYTHON)' not found: install Python 3.11+ (or run make PYTHON=/path/to/python3)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); the lock needs 3.11 or newer (make PYTHON=python3.11)" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "error: could not create $(VENV): Python's venv module is missing (Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }
	@rm -f $(VENV)/.installed $(VENV)/.installed-*
	@echo "installing the locked environment into $(VENV) (first time: a few minutes)"
	@$(PY) -m pip install --quiet --upgrade pip || { echo "error: pip upgrade failed (network? proxy?)" >&2; exit 1; }
	@if [ -n "$(TORCH_INDEX)" ]; then \
	  echo "torch from $(TORCH_INDEX) (pinned by $(LOCK))"; \
	  $(PY) -m pip install --quiet -c $(LOCK) --extra-index-url "$(TORCH_INDEX)" torch \
	    || { echo "error: installing torch with TORCH_INDEX=$(TORCH_INDEX) failed; see pip's message above" >&2; exit 1; }; \
	fi
	@$(PY) -m pip install --quiet -r $(LOCK) || { echo "error: installing $(LOCK) failed; see pip's message above" >&2; exit 1; }
	@$(PY) -m pip install --quiet --no-deps --no-build-isolation -e . || { echo "error: installing lossfns (editable) failed" >&2; exit 1; }
	@$(PY) -m ipykernel install --prefix $(VENV) --name $(KERNEL) --display-name "Python (lossfns)" \
	  --env TF_CPP_MIN_LOG_LEVEL 3 --env TF_ENABLE_ONEDNN_OPTS 0 --env MKL_CBWR AVX2 \
	  --env ATEN_CPU_CAPABILITY avx2 --env NPY_DISABLE_CPU_FEATURES "$(NPY_DISABLE_CPU_FEATURES)" \
	  --env OPENBLAS_CORETYPE $(OPENBLAS_CORETYPE) --env ONEDNN_MAX_CPU_ISA $(ONEDNN_MAX_CPU_ISA) >/dev/null
	@echo $(ENV_HASH) > $(VENV)/.installed
	@touch $@
	@echo "environment ready: $(VENV) (Jupyter kernel '$(KERNEL)')"

# Chromium for tests/test_site_browser.py: Debian's package (Playwright never downloads one).
# Explicit (.ci/run calls it before `make test`; `make test` never installs system packages).
# Best effort: where it cannot be installed, that test is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || test -x "$${LOSSFNS_CHROMIUM:-/usr/bin/chromium}" || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium (apt-get) for the site's browser test"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
	      || echo "note: could not install chromium: tests/test_site_browser.py will be skipped"; \
	  else \
	    echo "note: no chromium (Debian/Ubuntu, as root: apt-get install chromium): tests/test_site_browser.py will be skipped"; \
	  fi; }

test: $(INSTALLED)
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest tests --doctest-modules lossfns -p no:cacheprovider -n 2 $(PYTEST_ARGS)
	$(PY) -m pytest --nbval notebooks --nbval-kernel-name $(KERNEL) \
	  --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider $(PYTEST_ARGS)

# The lock from pyproject.toml's ranges (+ requirements/suite.in): the newest releases, resolved
# in a clean temporary venv of $(PYTHON) (3.11) with torch's CPU build (tools/lock.py), then
# environment.yml from the lock. Needs the package registries and several minutes; review the diff.
# LOCK_ARGS=--torch-index= where pip already finds a CPU torch and PyTorch's index is unreachable.
LOCK_ARGS ?=
lock:
	$(PYTHON) tools/lock.py $(LOCK_ARGS)
	$(PYTHON) tools/sync_environment.py
	@echo "review: git diff $(LOCK) environment.yml; then make setup installs the new lock"

# Make dependencies of each notebook: the lossfns modules it imports (transitively) and the
# data files it declares; a change elsewhere in the package does not re-run it.
.make/deps.mk: $(NOTEBOOKS) $(PKG_SRC) | $(INSTALLED)
	@mkdir -p .make && $(PY) -m lossfns.run deps > $@.tmp && mv $@.tmp $@
ifneq ($(filter _quick _full,$(MAKECMDGOALS)),)
-include .make/deps.mk
endif

define run_notebook
$(STAMPS)/$(1)/%.done: notebooks/%.ipynb | $(INSTALLED)
	$$(PY) -m lossfns.run execute $$< --profile $(1) $$(RUN_ARGS)
	@mkdir -p $$(@D) && touch $$@
endef
$(foreach p,quick full,$(eval $(call run_notebook,$(p))))

# `stale` first forgets runs one of whose artefacts was deleted, so that Make re-runs them.
quick: $(INSTALLED)
	@$(if $(FORCE),rm -f $(STAMPS)/quick/*.done && echo "FORCE: re-running every notebook",:)
	@$(PY) -m lossfns.run stale --profile quick
	@$(MAKE) --no-print-directory _quick
_quick: $(QUICK)
	@echo "quick profile up to date: $(words $(QUICK)) notebook(s)"

# Data the full profile needs that a fresh clone lacks: Fashion-MNIST from Debian's package
# (apt-get download + dpkg-deb, no root; verified; into ~/.cache/lossfns). Best effort: where it
# cannot be fetched, the notebooks that need it stop with the loader's message.
data: $(INSTALLED)
	@$(PY) -m lossfns.datasets.debian fashion-mnist \
	  || echo "note: Fashion-MNIST not fetched (see the message above); notebook 001-6's full profile needs it" >&2

# SCHEDULER=tcp://HOST:8786: the stale notebooks run as tasks on that Dask cluster (every worker
# must be at this commit with this lock: docs/cluster.md); their artefacts are swapped in here,
# stamped, and _full then only writes the report. A failed notebook stops make after the others
# finished (with its traceback); the next `make reproduce` runs it again.
SCHEDULER ?=
reproduce: $(INSTALLED) data
	@git diff --quiet HEAD -- . ':(exclude)results' ':(exclude)figures' ':(exclude)reports' 2>/dev/null \
	  || echo "warning: uncommitted changes: the artefacts will carry dirty provenance (commit first for publishable results)" >&2
	@$(if $(FORCE),rm -f $(STAMPS)/full/*.done && echo "FORCE: re-running every notebook",:)
	@$(if $(SCHEDULER),$(PY) -m lossfns.run reproduce --profile full --scheduler '$(SCHEDULER)' $(RUN_ARGS),$(PY) -m lossfns.run stale --profile full)
	@$(MAKE) --no-print-directory _full
_full: $(FULL)
	@echo "full profile up to date: $(words $(FULL)) notebook(s); artefacts in figures/full and results/full"
	@$(PY) -m lossfns.pipeline.identity --profile full
	@$(PY) -m lossfns.report
	@$(PY) -m lossfns.site

# Static HTML pages of the executed notebooks, with an index (site/index.html), and the API reference.
site: $(INSTALLED) api
	NO_MKDOCS_2_WARNING=1 $(PY) -m lossfns.site

# The API reference, generated from the docstrings by MkDocs + mkdocstrings (mkdocs.yml; strict:
# a broken reference fails the build; offline: MathJax comes from the lock): site/api/index.html.
api: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site/api

# The replication report from the committed results (--include-ignored adds quick ones: do not commit that).
report: $(INSTALLED)
	$(PY) -m lossfns.report

clean:
	rm -rf $(VENV) build .make results/quick figures/quick .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
