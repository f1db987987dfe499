# Pharmagarde. `make run` starts everything; `make test` runs the whole suite.
#
#   make run                 installe (une fois), prépare les données, démarre sur 127.0.0.1:8000
#   make run PORT=8080       HOST et PORT choisissent l'adresse d'écoute
#   make test                toute la suite de tests
#
# Only a Python 3.11+ interpreter is needed; the first found is used (PYTHON= to choose).
ifndef PYTHON
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint test-browser clean-data

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 ou plus récent est nécessaire (make PYTHON=...)." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "$(PYTHON) est trop ancien : Python 3.11 ou plus récent est nécessaire." >&2; exit 1; }
	@echo "Installation des dépendances dans $(VENV) (la première fois seulement)…"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Plain HTTP on the local machine; the settings default to HTTPS for production.
run: $(STAMP)
	HTTPS=$${HTTPS:-false} $(BIN)/pharmagarde up

test: $(STAMP)
	$(BIN)/pytest

test-browser: $(STAMP)
	$(BIN)/pytest -m browser tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .

# Deletes the local database, key and demo password: asks first.
clean-data:
	@printf "Supprimer définitivement le répertoire data/ (base, clé secrète) ? [o/N] "; \
		read answer; [ "$$answer" = "o" ] && rm -rf data && echo "data/ supprimé." || echo "Rien n'a été supprimé."
