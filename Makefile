# Two commands run the whole course:
#   make lab    create .venv, install the course, open JupyterLab on notebooks/
#   make test   create/update .venv, run the library tests and every notebook and exercise (fast mode)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Tests and notebooks run on 2 workers; each keeps to one thread so they don't fight over cores.
PYTEST_WORKERS ?= 2

.PHONY: lab test test-lib test-notebooks student doctor benchmarks clean

# Make .venv, or say in one line what to install: a missing or too old Python (the course needs 3.10+),
# or Debian/Ubuntu's python3-venv (without it `python3 -m venv` stops at ensurepip). A failed venv is removed.
# NEED_PYTHON: keep in step with requires-python in pyproject.toml and the version check below
NEED_PYTHON := 3.10
MAKE_VENV = command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python $(NEED_PYTHON) or newer (or run make PYTHON=/path/to/python3)" >&2; exit 2; }; \
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { echo "error: genimg-edu needs Python $(NEED_PYTHON) or newer, $(PYTHON) is $$($(PYTHON) -V 2>&1); install a newer one and run make PYTHON=python3.12 (for example)" >&2; exit 2; }; \
	$(PYTHON) -m venv $(VENV) >$(VENV).log 2>&1 && rm -f $(VENV).log || { rm -rf $(VENV); \
	if $(PYTHON) -c 'import ensurepip' 2>/dev/null; then echo "error: $(PYTHON) -m venv failed (see $(VENV).log)" >&2; \
	else echo "error: $(PYTHON) cannot make a virtual environment (ensurepip is missing); on Debian/Ubuntu: sudo apt install python3-venv (or python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv), then make again" >&2; fi; exit 2; }

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || { $(MAKE_VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[lab,dev,ethics]"
	touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and classroom images often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

test: $(STAMP)
	GENIMG_FAST=1 GENIMG_EXERCISES_STRICT=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope \
		tests --nbval-lax notebooks exercises --nbval-current-env -q

# Release checks: every notebook in full mode (GENIMG_FAST=0: the real lesson, tens of minutes in all), one after
# another, with the time each takes (all run; failures listed at the end). Cells tagged release-check assert the
# bars of docs/PERFORMANCE.md.
# Not part of `make test`.
.PHONY: check-full
check-full: $(STAMP)
	@failed=""; for nb in notebooks/*.ipynb; do start=$$(date +%s); \
		if GENIMG_FAST=0 GENIMG_RELEASE_CHECK=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
			--nbval-cell-timeout=3600 $$nb; then result=passed; else result=FAILED; failed="$$failed $$nb"; fi; \
		echo "check-full: $$nb $$result in $$(( $$(date +%s) - start )) s"; done; \
	test -z "$$failed" || { echo "check-full: failed:$$failed"; exit 1; }

student: $(STAMP)
	$(BIN)/genimg-edu student

doctor: $(STAMP)
	$(BIN)/genimg-edu doctor

benchmarks: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b; done

clean:
	rm -rf build .pytest_cache

# The Colab install cell in a throw-away environment with other torch/ipywidgets/matplotlib versions
# (needs PyPI; a few minutes). Not part of `make test`.
.PHONY: test-install
test-install: $(STAMP)
	GENIMG_TEST_INSTALL=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -m install tests/test_packaging.py

# The course website (Jupyter Book 1.x, builds offline): every notebooks/*.ipynb executed in fast mode
# with a banner saying so; `make site FULL=1` executes them in full mode (the real lesson). Opens at
# build/site/_build/html/index.html. `make site-deps` only installs the tools (the `site` extra).
SITE_STAMP := $(VENV)/.installed-site
$(SITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[lab,dev,site]"
	touch $(SITE_STAMP)

.PHONY: site site-deps
site-deps: $(SITE_STAMP)

site: $(SITE_STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python site/build_site.py $(if $(FULL),--full,)
