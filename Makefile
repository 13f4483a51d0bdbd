# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
# pyenv provides the interpreter on these machines; fall back to python3.10 on PATH.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv root >/dev/null 2>&1 && test -x "$$(pyenv root)/versions/$(PYTHON_VERSION)/bin/python3.10" && echo "$$(pyenv root)/versions/$(PYTHON_VERSION)/bin/python3.10" || command -v python3.10)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/intake.tar.gz

# Rasa writes to ~/.config/rasa and ~/.keras: keep that inside the project, and keep logs
# readable (no telemetry, no TensorFlow chatter, no progress-bar floods).
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
RASA_ENV := HOME=$(CURDIR)/var/home
RASA := $(RASA_ENV) $(BIN)/rasa

TRAINING_INPUTS := config.yml domain.yml $(wildcard data/nlu/*.yml) $(wildcard data/crisis/*.yml) data/rules.yml \
	data/stories.yml $(wildcard bot/nlu/*.py)

.PHONY: help install train run run-scaled test lint typecheck pytest validate test-stories eval clean browser fonts \
	haproxy

help:
	@echo "make run   - set up, train if needed, start the bot, action server and console"
	@echo "make test  - set up, train if needed, validate data, lint, pytest, rasa test"
	@echo "make eval  - print classifier figures on the labelled sample and the dev sets (crisis too)"
	@echo "make run-scaled - two Rasa instances behind HAProxy on PostgreSQL, Redis and RabbitMQ"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python $(PYTHON_VERSION) not found (pyenv install $(PYTHON_VERSION))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade "pip<24.1" 2>&1 | { grep -v "^WARNING: Location" || true; }

# Some machines' pip configuration names local indexes that may be absent; pip then warns once
# per package, which is noise, not news.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "pip install -e .[dev] (Rasa and its pins: a few minutes on a new machine)"
	@set -o pipefail; $(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]" 2>&1 \
		| { grep -v -e "^WARNING: Location" -e "^  DEPRECATION" || true; }
	@touch $@

install: $(VENV)/.installed

# Trains only when data, config, domain or the NLU components changed (make compares times).
$(MODEL): $(TRAINING_INPUTS) $(VENV)/.installed
	@mkdir -p var/home var/logs models
	@echo "Training the model (a few minutes on 2 cores); log: var/logs/train.log"
	@start=$$(date +%s); \
	$(RASA) train --fixed-model-name intake --out models > var/logs/train.log 2>&1 \
		|| { tail -n 40 var/logs/train.log; exit 1; }; \
	echo "Model: $(MODEL), trained in $$(( $$(date +%s) - start )) s (per component: grep 'training component' var/logs/train.log)"

train: $(MODEL)

# Worry intents (and their combinations) are training labels only: the dialogue sees
# share_worry, so Rasa's "not used in any story" warnings about them are filtered out.
validate: install
	@mkdir -p var/home
	@echo "rasa data validate"
	@set -o pipefail; $(RASA) data validate --quiet --max-history 5 2>&1 \
		| { grep -v -e "is not used in any story or rule" -e "^\s*$$" || true; }

lint: install
	$(BIN)/ruff check bot actions tests bench scripts
	$(BIN)/ruff format --check bot actions tests bench scripts
	$(BIN)/mypy bot

# The website-chat browser test drives Debian's Chromium (Playwright's own browser download
# is not reachable here); install it once if the machine does not have it.
browser: fonts
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser test"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The analysts' charts (matplotlib) and the screenshots need a Japanese font: Debian's IPA Gothic.
fonts:
	@fc-list :lang=ja 2>/dev/null | grep -q . || { \
		echo "Installing Debian's Japanese font (fonts-ipafont-gothic) for the charts"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-ipafont-gothic >/dev/null; }

# The scaled layout (`make run-scaled`) and its ordering test run Debian's HAProxy.
haproxy:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { \
		echo "Installing Debian's haproxy for the scaled layout"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }

pytest: $(MODEL) browser haproxy
	$(BIN)/pytest -q -p no:cacheprovider --durations=15

# Rasa's test run prints library deprecation chatter; the log keeps it, the console shows the
# verdict (and the failed story when there is one).
test-stories: $(MODEL)
	@mkdir -p var/home var/results var/logs
	@echo "rasa test core --stories tests/test_stories.yml --fail-on-prediction-errors"
	@$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) \
		--fail-on-prediction-errors --out var/results --quiet > var/logs/test_stories.log 2>&1 \
		|| { grep -v -i "warning" var/logs/test_stories.log | tail -n 60; exit 1; }
	@echo "$$(head -n 1 var/results/failed_test_stories.yml)"
	@echo "$$(grep -c '^- story:' tests/test_stories.yml) test stories passed"

test: validate lint pytest test-stories
	@echo "All checks passed."

eval: $(MODEL)
	$(BIN)/intake eval --model $(MODEL) --cases ../shared/eval/sample.yml tests/nlu/dev_cases.yml tests/nlu/dev_classes.yml
	$(BIN)/intake crisis-eval --model $(MODEL)

run: $(MODEL) fonts
	@scripts/run_all.sh

# Two Rasa instances, HAProxy, PostgreSQL, Redis and RabbitMQ (README "Scale-out").
run-scaled: $(MODEL) fonts haproxy
	@scripts/run_scaled.sh

# Locust (the load tool of `make bench`) in its own venv: its pins may clash with Rasa's.
LOCUST_VENV := bench/.venv-locust
$(LOCUST_VENV)/.installed: bench/requirements-locust.txt
	@test -n "$(PYTHON)" || { echo "Python $(PYTHON_VERSION) not found (pyenv install $(PYTHON_VERSION))"; exit 1; }
	@test -x $(LOCUST_VENV)/bin/python || $(PYTHON) -m venv $(LOCUST_VENV)
	@echo "pip install -r bench/requirements-locust.txt (into $(LOCUST_VENV))"
	@set -o pipefail; $(LOCUST_VENV)/bin/pip install --quiet --disable-pip-version-check \
		-r bench/requirements-locust.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	@touch $@

.PHONY: bench locust
locust: $(LOCUST_VENV)/.installed

# Latency, throughput, memory, NLU figures → bench/results.md (~25 min; BENCH_QUICK=1: a few
# minutes, → bench/results-quick.md). Run it alone on the machine: it loads every core.
bench: $(MODEL) haproxy locust
	@$(RASA_ENV) $(BIN)/python -m bench.run

clean:
	rm -rf var/results var/logs models
