# `make run` and `make test` each set up the virtual environment from nothing and do their job.
# Every package comes from requirements.lock, exact versions with hashes; `make lock` refreshes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LANGS := da ar fa uk ru tr so
BABEL_KEYWORDS := -k _:1,2 -k __

.PHONY: run test lint lock i18n i18n-check bench clean

# The project itself is built with the locked hatchling (--no-build-isolation): nothing unpinned is fetched.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Resolve pyproject.toml's ranges, and the build backend with what an editable install needs,
# to exact versions with hashes for every platform and Python 3.11+. Commit it on its own.
lock: $(STAMP)
	$(BIN)/pip install --quiet 'uv>=0.5,<1'
	printf 'hatchling>=1.25\neditables>=0.5\n' | $(BIN)/uv pip compile pyproject.toml - --extra dev --generate-hashes \
		--universal --python-version 3.11 --custom-compile-command "make lock" --quiet -o requirements.lock

run: $(STAMP)
	$(BIN)/mentorbot run

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Extract every message, merge it into each language's catalog, and compile the catalogs.
i18n: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--project=mentorbot -o locales/messages.pot bot conversations storage admin
	for lang in $(LANGS); do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i locales/messages.pot -d locales -l $$lang; \
		else \
			$(BIN)/pybabel -q init -i locales/messages.pot -d locales -l $$lang; \
		fi; \
	done
	$(BIN)/pybabel -q compile -d locales --statistics

# Fails when a catalog misses a message, has a fuzzy or untranslated one, or breaks a placeholder.
i18n-check: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_catalogs.py

bench: $(STAMP)
	$(BIN)/python bench/updates.py
	$(BIN)/python bench/sweep.py --pairs 300

clean:
	rm -rf $(VENV) var
