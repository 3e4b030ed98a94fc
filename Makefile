# One command runs the main job (`make demo`: the Snakemake workflow on simulated data), one
# passes the tests (`make test`).
# Both create .venv and install motifnet into it (torch pinned by constraints.txt) when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_DIR ?= results

.PHONY: install test lint demo bench data clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	$(BIN)/python -m motifnet.motifs.compile  # memelite's numba kernels, once (~2 min)
	touch $@

lint: $(INSTALLED)
	$(BIN)/ruff check motifnet tests benchmarks
	$(BIN)/ruff format --check motifnet tests benchmarks

test: lint
	$(BIN)/python -m pytest -q --durations=15

demo: $(INSTALLED)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/snakemake --profile workflows/profiles/local \
		--config outdir=$(DEMO_DIR)
	@echo "demo: report at $(DEMO_DIR)/report/index.html (motifs per model: $(DEMO_DIR)/demo/*/seed0/motifs/index.html)"

# The example inputs of data/ (see data/README.md), made by motifnet itself; seeded, so the
# files are the same on every run.
data: $(INSTALLED)
	$(BIN)/motifnet simulate -o data/simulated -n 1000 --length 100 --seed 1
	$(BIN)/motifnet simulate -o data/genome --format genome -n 500 --length 100 --seed 2

bench: $(INSTALLED)
	$(BIN)/python benchmarks/encoding.py
	$(BIN)/python benchmarks/equivariance.py
	$(BIN)/python benchmarks/regimes.py
	$(BIN)/python benchmarks/grammar.py
	$(BIN)/python benchmarks/scan.py
	$(BIN)/python benchmarks/training_memory.py
	$(BIN)/python benchmarks/gue.py
	$(BIN)/python benchmarks/ctcf_motifs.py
	$(BIN)/python benchmarks/motif_matching.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .snakemake .pytest_cache .ruff_cache
