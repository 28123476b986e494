# Pinggu Planner: the two commands a new user needs are `make app` and `make test`.
# Both create .venv when it is missing and (re)install only when pyproject.toml changed.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: app test lint fmt install bench clean browser js
MAPJS  := static/map

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,scale]'
	@# compile the solver's kernels once (numba caches them on disk), not in the first plan
	$(BIN)/python -c "from planner.solve.solver import warm_up; warm_up()"
	@touch $(STAMP)

app: $(STAMP)
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: $(STAMP) $(MAPJS)/node_modules/.installed
	$(BIN)/ruff check planner tests bench app.py webapp
	$(BIN)/mypy
	cd $(MAPJS) && npx --no-install eslint map.js

# The map's JavaScript tools (ESLint) and Leaflet, from the npm registry as package-lock.json pins them.
$(MAPJS)/node_modules/.installed: $(MAPJS)/package.json $(MAPJS)/package-lock.json
	cd $(MAPJS) && npm ci --no-audit --no-fund --silent
	@touch $@

# Refresh the vendored Leaflet (static/map/leaflet/) from node_modules after a version bump.
js: $(MAPJS)/node_modules/.installed
	cd $(MAPJS) && npm run --silent vendor

fmt: $(STAMP)
	$(BIN)/ruff check --fix planner tests bench app.py webapp
	$(BIN)/ruff format planner tests bench app.py webapp

test: $(STAMP) lint
	$(BIN)/python -m pytest -n 2 -q

# Headless Chromium for the end-to-end browser tests (Debian package; never `playwright install`).
browser:
	@(command -v chromium && fc-list | grep -qi "noto sans cjk") >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/toptw.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(MAPJS)/node_modules
