# Everyday commands. `make venv` (run by every other target) sets up .venv via
# scripts/bootstrap.sh and returns at once when nothing changed.
# Override e.g. `make test VENV=/tmp/venv`; ARGS adds arguments to the command:
# `make test ARGS="-k params"`, `make app ARGS="--port 8800"`.
VENV ?= .venv
PY ?= $(VENV)/bin/python
ARGS ?=
export VENV

.PHONY: venv run test lint app bench clean

venv:
	@bash scripts/bootstrap.sh

run: venv
	$(VENV)/bin/abm run baseline $(ARGS)

# pytest exits 5 when it collected no tests: that is a failure, say so.
test: venv
	@$(PY) -m pytest -n 2 -q $(ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: FAILED - pytest collected/ran no tests (exit 5)" >&2; fi; \
	exit $$rc

# the browser tests with one CPU core kept busy by a busy-looping process, as on a shared CI machine
.PHONY: test-browser test-browser-loaded
test-browser: venv
	$(PY) -m pytest -q tests/test_app_browser.py $(ARGS)

test-browser-loaded: venv
	$(PY) -m pytest -q tests/test_app_browser.py --cpu-hog $(ARGS)

# ruff (lint rules and format settings: pyproject.toml) over the tree; mypy over the modules it lists
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

app: venv
	$(VENV)/bin/abm app $(ARGS)

bench: venv
	$(PY) benchmarks/run_all.py $(ARGS)

# removes caches and build leftovers; the venv only with `make clean-venv`
clean:
	rm -rf .pytest_cache .hypothesis build dist *.egg-info
	find . \( -path ./.git -o -path ./.venv -o -path ./$(VENV) \) -prune -o -name __pycache__ -type d -exec rm -rf {} +

.PHONY: clean-venv
clean-venv: clean
	rm -rf $(VENV)
