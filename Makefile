# Emotune's tasks (README, "Run the tests"). One virtual environment, .venv, for all of them:
# installed once with every extra and reinstalled only when setup.cfg or pyproject.toml change,
# so a full run installs TensorFlow once. `make check` is what CI runs (.ci/run).
#
#   make run        install the app alone and start it
#   make check      everything CI runs: lint, types, contracts, workflow, all tests
#   make lint | types | contracts | workflow | test-fast | test | bundle
#
# GNU Make on Linux and macOS; on Windows run the commands of a target by hand (README).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-all
APP_INSTALLED := $(VENV)/.installed-app
TEST_INSTALLED := $(VENV)/.installed-test
BUILD_VENV := .venv-build
# apt-get needs root; a developer who is not gets sudo in front.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run check lint types contracts workflow system test-fast test bundle clean

run: $(APP_INSTALLED)
	$(BIN)/python -m emotune

check: lint types contracts workflow test

$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e ".[train,test,build]"
	touch $@ $(APP_INSTALLED) $(TEST_INSTALLED)

# The fast loop needs no TensorFlow: the app and the test tools (the tests that train are marked
# `training` and left out, with a line saying so, where Keras is missing).
$(TEST_INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(APP_INSTALLED)

# The app's own dependencies only; an environment with every extra serves as well.
$(APP_INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(INSTALLED)
	$(BIN)/mypy

contracts: $(INSTALLED)
	$(BIN)/lint-imports

# actionlint runs shellcheck on the workflow's scripts when it finds it on the PATH.
workflow: $(INSTALLED)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/actionlint .github/workflows/release.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/release.yml

# Xvfb for the window tests and Tesseract for the ones that read the screen.
system:
	@command -v Xvfb >/dev/null && command -v tesseract >/dev/null || \
		($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq xvfb tesseract-ocr)

test-fast: $(TEST_INSTALLED) system
	$(BIN)/pytest -m "not slow"

test: $(INSTALLED) system
	$(BIN)/pytest

# The double-clickable app, from an environment with the app and PyInstaller only (what is
# installed there is what can end up inside), then both of its programs' self-tests.
bundle:
	$(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/pip install -q -e ".[build]"
	$(BUILD_VENV)/bin/pyinstaller --noconfirm emotune.spec
	dist/emotune/emotune --self-test
	dist/emotune/emotune-gui --self-test

clean:
	rm -rf $(VENV) $(BUILD_VENV) build dist
