# Two entry points for a fresh machine: `make demo` (check Basic Paxos and a buggy variant, show
# the counterexample) and `make test` (the test suite). Each installs what it needs first.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench gallery debs

demo: $(STAMP) debs
	$(VENV)/bin/quorum check specs/paxos-small.toml
	$(VENV)/bin/quorum check specs/paxos-phase2a-ignores-1b.toml --out demo-report
	@echo
	@echo "The counterexample's report: demo-report/report.html (chart: demo-report/msc.svg)."
	@echo "Next: step through it in the browser:  $(VENV)/bin/quorum explore demo-report/trace.json"
	@echo "      break another variant:            $(VENV)/bin/quorum check specs/raft-votes-twice.toml"
	@echo "      every spec with its verdict:      $(VENV)/bin/quorum check specs/"
	@echo "      the gallery of counterexamples:   counterexamples/README.md"

test: $(STAMP) debs
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check checker protocols tests benchmarks examples exercises

gallery: $(STAMP)
	$(VENV)/bin/quorum gallery

bench: $(STAMP)
	$(PY) benchmarks/explicit_paxos.py

debs:  # Debian's graphviz and etcd, when missing (scripts/install-debian-packages.sh says how otherwise)
	@sh scripts/install-debian-packages.sh

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)
