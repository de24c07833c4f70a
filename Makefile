# Developer entry points. `make test` is the one command that installs what the tests need and runs them.
.PHONY: test check install browser lint format app web train export bench docs

install:  ## Python packages from uv.lock, npm packages from package-lock.json
	uv sync --locked
	npm ci --no-audit --no-fund

browser:  ## a Chromium for the browser tests: the system one if present, else Playwright's
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1; then echo "using $${CHROMIUM_PATH:-$$(command -v chromium)}"; \
	else uv run playwright install chromium; fi

lint:  ## one style: ruff for Python, prettier for the page's JavaScript, HTML and CSS
	uv run ruff check .
	uv run ruff format --check .
	npm run lint:js

format:  ## rewrite the code in that style
	uv run ruff check --fix .
	uv run ruff format .
	npm run format:js

check: lint  ## the fast tier for the inner loop: style, and the tests that need no browser, no MNIST and no training
	uv run pytest -m "not slow and not browser and not mnist and not training" -q

test: install browser lint  ## everything: style, Python, Node (TF.js parity), Chromium (page, app)
	uv run pytest

app:  ## the Streamlit app on http://localhost:8501
	uv run streamlit run streamlit_app.py

web:  ## the static page on http://127.0.0.1:8000
	npm start

train:  ## the shipped model, by the recipe in train/recipes/shipped.toml (docs/training.md)
	uv run python -m train

export:  ## artifacts/mnist.keras -> web/model/ (TF.js) and artifacts/saved_model/
	uv run python -m export

bench:  ## the speed and size numbers in bench/results/
	uv run python -m bench.export_parity
	uv run python -m bench.web
	uv run python -m bench.streamlit
	uv run python -m bench.handwriting

docs:  ## the README's result tables and the docs' screenshots, from the shipped model and the real page and app
	uv run python -m bench.readme --write
	uv run python -m bench.screenshots
