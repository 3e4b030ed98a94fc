# One command runs the main job (`make demo`), one passes the tests (`make test`).
# Both create .venv and install motifnet into it (torch pinned by constraints.txt) when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_DIR ?= demo

.PHONY: install test lint demo bench clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $@

lint: $(INSTALLED)
	$(BIN)/ruff check motifnet tests benchmarks
	$(BIN)/ruff format --check motifnet tests benchmarks

test: lint
	$(BIN)/python -m pytest -q

demo: $(INSTALLED)
	$(BIN)/motifnet simulate -o $(DEMO_DIR)/simulated --regime bag -n 4000 --length 100 --max-sites 3 --seed 0
	$(BIN)/motifnet inspect $(DEMO_DIR)/simulated/positive.fa $(DEMO_DIR)/simulated/negative.fa
	$(BIN)/motifnet train --pos $(DEMO_DIR)/simulated/positive.fa --neg $(DEMO_DIR)/simulated/negative.fa \
		--arch rc_cnn --max-epochs 15 --lr 0.003 -o $(DEMO_DIR)/rc_cnn --quiet
	$(BIN)/motifnet check $(DEMO_DIR)/rc_cnn/model.ckpt
	@echo "demo: data in $(DEMO_DIR)/simulated, trained model and metrics in $(DEMO_DIR)/rc_cnn"

bench: $(INSTALLED)
	$(BIN)/python benchmarks/encoding.py
	$(BIN)/python benchmarks/equivariance.py
	$(BIN)/python benchmarks/regimes.py
	$(BIN)/python benchmarks/gue.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache
