# Everyday commands. Every target sets up .venv first; a second call skips what is done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.portrait-installed
STUDY ?= data/raw/demo

.PHONY: report test demo lab bench clean chromium java

report: $(STAMP)
	$(BIN)/portrait run --study $(STUDY)

test: $(STAMP) chromium java
	$(BIN)/python -m pytest

# The browser test opens the report in Debian's Chromium (no browser download at run time).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Spark in local mode (the tests run both engines) needs a Java runtime, 17 or newer.
java:
	@command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null)

demo: $(STAMP)
	$(BIN)/portrait demo

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Every benchmark, then the README's tables re-rendered from the bench/results/*.json they wrote.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/bench_demo_and_collect.py
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/bench_survey_coding.py
	$(BIN)/python bench/bench_interview_coding.py
	$(BIN)/python bench/bench_collect_transactions.py
	$(BIN)/python bench/bench_rfm.py
	$(BIN)/python bench/bench_clv.py
	$(BIN)/python bench/bench_segmentation.py
	$(BIN)/python bench/readme_table.py

# Re-install only when the dependency list changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name portrait --display-name "Python (portrait)"
	touch $(STAMP)

clean:
	rm -rf $(VENV) reports data/processed/*/ data/processed/.staging
