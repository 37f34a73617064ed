# The one front door. `make build` and `make check` each do all set-up on a fresh machine.
.PHONY: setup build check golden

PYTHON ?= python
CHROMIUM ?= /usr/bin/chromium
# CI machines run as root; anywhere else the apt step needs sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

setup:
	$(PYTHON) -m pip install -e '.[dev]'
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "$(CHROMIUM) missing: installing chromium and fonts-noto-cjk"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-noto-cjk; \
	fi

build: setup
	$(PYTHON) -m builder build

check: setup
	$(PYTHON) -m ruff format --check builder tests benchmarks
	$(PYTHON) -m ruff check builder tests benchmarks
	$(PYTHON) -m mypy builder
	$(PYTHON) -m pytest

golden:
	$(PYTHON) -m pytest --update-golden
