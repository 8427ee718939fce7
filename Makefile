# `make run` and `make test` each set up the virtual environment from nothing and do their job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LANGS := da ar fa uk ru tr so
BABEL_KEYWORDS := -k _:1,2 -k __

.PHONY: run test lint i18n i18n-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

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
