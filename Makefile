# Developer entry points. `make test` is the one command that installs what the tests need and runs them.
.PHONY: test install browser app web train export bench

install:  ## Python packages from uv.lock, npm packages from package-lock.json
	uv sync --locked
	npm ci --no-audit --no-fund

browser:  ## a Chromium for the browser tests: the system one if present, else Playwright's
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1; then echo "using $${CHROMIUM_PATH:-$$(command -v chromium)}"; \
	else uv run playwright install chromium; fi

test: install browser  ## everything: Python, Node (TF.js parity), Chromium (page, app)
	uv run pytest

app:  ## the Streamlit app on http://localhost:8501
	uv run streamlit run streamlit_app.py

web:  ## the static page on http://127.0.0.1:8000
	npm start

train:  ## a full training run (about 20 minutes on 2 CPU cores)
	uv run python -m train

export:  ## artifacts/mnist.keras -> web/model/ (TF.js) and artifacts/saved_model/
	uv run python -m export

bench:  ## the speed and size numbers in bench/results/
	uv run python -m bench.export_parity
	uv run python -m bench.web
	uv run python -m bench.streamlit
