# The two commands of the README:
#   make run   install into .venv, migrate the SQLite database under instance/, seed demo data, serve
#   make test  install everything the tests need (test extras; Debian's chromium, a CJK font,
#              nginx, openssl and npm when missing) and run every test
# TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/consult_test make test
# runs the same suite on PostgreSQL.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := consult.app

.PHONY: run test lint install install-test translations browser fonts clean

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install-test lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style (ruff) and the layer contract of docs/architecture.md (import-linter).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

install: $(VENV)/.installed translations fonts

install-test: $(VENV)/.installed-test translations browser fonts

# A CJK font for the generated PDFs (fonts-noto-cjk; see scripts/install-fonts).
fonts:
	scripts/install-fonts

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/flask translate compile >/dev/null

browser:
	./scripts/install-browser

clean:
	rm -rf $(VENV) instance test-artifacts
	find consult -name '*.mo' -delete
