# audiobench — run `make` for the list of targets.
# Every target that needs Python bootstraps .venv itself, so a fresh clone needs only
# the Rust toolchain and CPython 3.11.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export VIRTUAL_ENV := $(abspath $(VENV))
export PATH := $(abspath $(VENV))/bin:$(PATH)

# The extension's sources: the load generator (rust_impls/loadgen) is a tool of the measurement, not part of it.
RUST_SOURCES := $(shell find rust_impls -path rust_impls/loadgen -prune -o \( -name '*.rs' -o -name Cargo.toml \) -print) Cargo.toml Cargo.lock
EXTENSION_STAMP := $(VENV)/.extension-built

.PHONY: help setup build build-dev build-prod build-profiling test test-fuzz fuzz test-rust test-python lint lint-rust lint-python fmt \
	report bench bench-quick bench-inputs criterion criterion-quick asv asv-history asv-publish pytest-bench runner runner-quick \
	profiler loadgen stream stream-quick profile compare gate gate-ci gate-trials example test-extend readme-check clean

help: ## Show this help
	@if [ -t 1 ]; then on='\033[36m'; off='\033[0m'; else on=''; off=''; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %s%-16s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

$(VENV)/.venv-ready: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "maturin>=1.7,<2"
	touch $@

setup: $(VENV)/.venv-ready ## Create .venv and install maturin (the build step installs the rest)

# maturin builds the extension in place (audiobench/_rust.*.so) and installs the package
# editable with its dev extras; re-run only when Rust sources or pyproject.toml change.
$(EXTENSION_STAMP): $(VENV)/.venv-ready $(RUST_SOURCES) pyproject.toml
	$(BIN)/maturin develop --release --extras dev
	touch $@

build: $(EXTENSION_STAMP) ## Build the extension (release profile) and install audiobench into .venv

build-prod: build ## Alias of build: the release profile is what gets measured

build-dev: $(VENV)/.venv-ready ## Unoptimised debug build of the extension (fast to compile; never benchmark it)
	$(BIN)/maturin develop --extras dev
	rm -f $(EXTENSION_STAMP)

build-profiling: $(VENV)/.venv-ready ## Release code with debug symbols (for callgrind/perf)
	$(BIN)/maturin develop --profile profiling --extras dev
	rm -f $(EXTENSION_STAMP)

lint-rust: $(VENV)/.venv-ready ## cargo fmt --check and clippy -D warnings (pyo3's build script needs the venv's Python)
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

lint-python: build ## ruff, mypy (audiobench/) and stubtest of the extension's .pyi
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(PY) -m mypy.stubtest audiobench._rust

lint: lint-rust lint-python ## Every linter

test-rust: $(VENV)/.venv-ready ## cargo test for the whole workspace
	cargo test --workspace --release

profiler: $(VENV)/.venv-ready ## Build the native stage profiler (target/release/audiobench-profile)
	cargo build --release -p audiobench-profiles

loadgen: $(VENV)/.venv-ready ## Build the streaming load generator (target/release/audiobench-loadgen)
	cargo build --release -p audiobench-loadgen

profile: build profiler ## Stage breakdown of every tier (instruction counts too when valgrind is installed)
	$(BIN)/audiobench profile $$(command -v valgrind >/dev/null && echo --instructions)

example: build ## Install examples/byo_tier (two tiers of your own, one in Rust) into .venv: every command then shows them
	$(PY) -m pip install --quiet --no-deps --no-build-isolation ./examples/byo_tier

# The load generator is built by test-rust (its integration tests), else by the first test that runs it.
test-python: build profiler ## pytest (parity, bindings, errors, suites, profiler, CLI)
	$(PY) -m pytest

test: build lint test-rust test-python test-fuzz ## Everything CI runs: build, lints, Rust tests, stubtest, pytest, a short fuzz

test-extend: build profiler ## Add an operation (gain) at every tier to a scratch clone, build it, run, profile and report it (a few minutes)
	$(PY) -m tests.new_operation.check

# The hour-long lines are skipped unless README_ARGS says otherwise (README_ARGS= runs every line).
README_ARGS ?= --skip '^make (bench|gate-trials)$$'
readme-check: ## Run every command block of the README in a fresh clone and a fresh login shell (README_ARGS: --skip REGEX)
	$(PYTHON) -m tests.readme_commands $(README_ARGS)

# Each fuzz target for FUZZ_TEST_SECONDS under `make test` (the direct kernels and the JSON
# nodes: no input may panic), longer by hand with `make fuzz`.
FUZZ_TEST_SECONDS ?= 10
test-fuzz: ## Fuzz every target for FUZZ_TEST_SECONDS (10) under AddressSanitizer (installs cargo-fuzz if missing)
	fuzz/run.sh $(FUZZ_TEST_SECONDS)

FUZZ_SECONDS ?= 300
fuzz: ## Fuzz the direct kernels and the JSON nodes under AddressSanitizer for FUZZ_SECONDS each
	fuzz/run.sh $(FUZZ_SECONDS)

fmt: $(VENV)/.venv-ready ## Format Rust and Python sources
	cargo fmt --all
	$(BIN)/ruff format . || true
	$(BIN)/ruff check --fix . || true

DATA := reports/data
CRITERION := cargo bench -p audiobench-core --bench audiobench

bench-inputs: build ## Write the quick and full inputs the criterion benches read (target/audiobench-inputs)
	$(BIN)/audiobench inputs --suite quick
	$(BIN)/audiobench inputs --suite full

criterion-quick: bench-inputs ## criterion, quick sizes and short measurement (Rust tiers natively + limits)
	AUDIOBENCH_SUITE=quick $(CRITERION)

criterion: bench-inputs ## criterion, full sizes and settings
	AUDIOBENCH_SUITE=full $(CRITERION)

asv: build ## asv on the working .venv for the current commit (results in .asv/results)
	$(BIN)/asv machine --yes
	$(BIN)/asv run -E existing:same --set-commit-hash $$(git rev-parse HEAD)

ASV_RANGE ?= HEAD~3..HEAD
asv-history: build ## asv over the commits of ASV_RANGE (default HEAD~3..HEAD), quick sizes: history for the report
	$(BIN)/asv machine --yes
	AUDIOBENCH_SUITE=quick $(BIN)/asv run $(ASV_RANGE)

asv-publish: ## Render the asv history site into reports/asv
	$(BIN)/asv publish

# pytest-benchmark writes its JSON in place: it goes to a hidden .tmp name (never read as a result), then is renamed.
pytest-bench: build ## pytest-benchmark over the registry (AUDIOBENCH_SUITE=quick|full) → reports/data/pytest-benchmark.json
	mkdir -p $(DATA)
	$(PY) -m pytest benchmarks/pytest_suite -q -p no:cacheprovider --benchmark-json $(DATA)/.pytest-benchmark.json.tmp
	mv $(DATA)/.pytest-benchmark.json.tmp $(DATA)/pytest-benchmark.json
	@echo "pytest-bench: wrote $(DATA)/pytest-benchmark.json (pytest-benchmark named its temporary file above)"

runner-quick: build ## The interleaved runner, quick suite (≤ 3 min) → reports/data/runs/
	$(BIN)/audiobench run --suite quick

runner: build ## The interleaved runner, full suite
	$(BIN)/audiobench run --suite full

stream-quick: build loadgen ## Streaming server under real-time load, every tier, short steps (≤ 2 min each): decode+append, then with VAD and pipeline → reports/data/streams/
	$(BIN)/audiobench stream --quick
	$(BIN)/audiobench stream --quick --work pipeline

stream: build loadgen ## Streaming server under real-time load, every tier, 5 s steps (several minutes each): decode+append, then with VAD and pipeline
	$(BIN)/audiobench stream
	$(BIN)/audiobench stream --work pipeline

bench: ## Everything, full: criterion + asv (this commit) + pytest-benchmark + the runner
	$(MAKE) criterion
	$(MAKE) asv asv-publish
	AUDIOBENCH_SUITE=full $(MAKE) pytest-bench
	$(MAKE) runner

bench-quick: ## Quick versions: runner + criterion + pytest-benchmark on the quick sizes
	$(MAKE) runner-quick
	$(MAKE) criterion-quick
	AUDIOBENCH_SUITE=quick $(MAKE) pytest-bench

# `make report` measures again only what changed since it last measured: the build, the
# measured sources (tiers, runner, profiler, benches, catalogue) or the machine (CPU model,
# count). Each measurement leaves a stamp in the directory its results went to, so deleting
# the results measures again too; FRESH=1 measures everything again.
MEASURED_SOURCES := $(shell find audiobench python_baselines -name '*.py' -not -path 'audiobench/report/*' \
	-not -path 'audiobench/gate/*' -not -path 'audiobench/compare/*') benchmarks/catalogue.toml pyproject.toml
PROFILER_SOURCES := $(shell find profiles -name '*.rs' -o -name Cargo.toml)
MACHINE_STAMP := target/.machine
RUNNER_STAMP := $(DATA)/runs/.quick-measured
CRITERION_STAMP := target/criterion/.quick-measured
PROFILE_STAMP := $(DATA)/profiles/.measured
STREAM_STAMP := $(DATA)/streams/.quick-measured
LOADGEN_SOURCES := $(shell find rust_impls/loadgen -name '*.rs' -o -name Cargo.toml)
AGAIN := $(if $(FRESH),FORCE)

.PHONY: FORCE
FORCE:

# Rewritten only when the machine differs, so its date says when it last changed.
$(MACHINE_STAMP): FORCE
	@mkdir -p $(@D); m="$$(uname -m), $$(nproc) CPUs,$$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2-)"; \
	[ "$$(cat $@ 2>/dev/null)" = "$$m" ] || echo "$$m" > $@

$(RUNNER_STAMP): $(EXTENSION_STAMP) $(MEASURED_SOURCES) $(MACHINE_STAMP) $(AGAIN)
	$(BIN)/audiobench run --suite quick
	mkdir -p $(@D) && touch $@

$(CRITERION_STAMP): $(RUST_SOURCES) benchmarks/catalogue.toml $(MACHINE_STAMP) $(AGAIN)
	$(MAKE) criterion-quick
	mkdir -p $(@D) && touch $@

$(PROFILE_STAMP): $(EXTENSION_STAMP) $(PROFILER_SOURCES) $(RUST_SOURCES) $(MEASURED_SOURCES) $(MACHINE_STAMP) $(AGAIN)
	$(MAKE) profile
	mkdir -p $(@D) && touch $@

$(STREAM_STAMP): $(EXTENSION_STAMP) $(LOADGEN_SOURCES) $(MEASURED_SOURCES) $(MACHINE_STAMP) $(AGAIN)
	$(MAKE) stream-quick
	mkdir -p $(@D) && touch $@

report: build profiler $(RUNNER_STAMP) $(CRITERION_STAMP) $(PROFILE_STAMP) $(STREAM_STAMP) ## Quick runner + criterion quick + profiler + stream quick (each only if what it measures changed; FRESH=1 all), then reports/report.md and .html
	@echo "report: measured by the runner $$(date -r $(RUNNER_STAMP) '+%F %T'), criterion $$(date -r $(CRITERION_STAMP) '+%F %T'), the profiler $$(date -r $(PROFILE_STAMP) '+%F %T'), the stream $$(date -r $(STREAM_STAMP) '+%F %T') (FRESH=1 measures again)"
	$(BIN)/audiobench report

# --- the gate ------------------------------------------------------------------------------------
GATE_DIR := target/gate-ci
RUST_TIERS := rust-json,rust-fast,rust-direct,rust-direct-alloc
# The build wall time is judged against: on a PR branch the merge base
# (GATE_BASE=$$(git merge-base origin/main HEAD)); on main the commit before.
GATE_BASE ?= HEAD~1
COMPARE_BASE ?= main

compare: build ## Paired comparison: COMPARE_BASE (default main) built and measured with the working tree in the same rounds
	$(BIN)/audiobench compare $(COMPARE_BASE) $(COMPARE_ARGS)

gate: build ## Judge the newest run and instruction profile against benchmarks/targets.toml (exit 0 pass, 1 fail, 2 bad input)
	$(BIN)/audiobench gate $(GATE_ARGS)

# What .ci/run gates on after `make test`: wall time on a paired comparison with GATE_BASE
# (both builds measured in the same rounds), the deterministic counters (against the committed
# benchmarks/baselines/counters.json), the enforced spec targets and the minimum speed-ups.
gate-ci: build profiler ## Quick run, instruction counts and a paired comparison with GATE_BASE (HEAD~1), all gated
	rm -rf $(GATE_DIR)
	$(BIN)/audiobench run --suite quick --no-cold --out-dir $(GATE_DIR)/runs
	$(BIN)/audiobench profile $$(command -v valgrind >/dev/null && echo --instructions) --tiers $(RUST_TIERS) \
		--format json --out-dir $(GATE_DIR)/profiles >/dev/null
	if git rev-parse --verify --quiet "$(GATE_BASE)^{commit}" >/dev/null; then \
		paired="--baseline-ref $(GATE_BASE) --compare-dir $(GATE_DIR)/compare"; \
	else echo "gate-ci: $(GATE_BASE) is not a commit here: wall time not compared"; paired=""; fi; \
	$(BIN)/audiobench gate --runs-dir $(GATE_DIR)/runs --profiles-dir $(GATE_DIR)/profiles $$paired

GATE_TRIALS ?= 20
GATE_ASV_TRIALS ?= 10
gate-trials: build profiler ## Gate quality: A/A and injected regressions (real commits), GATE_TRIALS each, judged by audiobench compare and asv continuous (about an hour)
	$(PY) -m audiobench.gate.trials all --trials $(GATE_TRIALS) --asv-trials $(GATE_ASV_TRIALS)

clean: ## Remove build output, .venv, .asv and generated reports
	cargo clean
	rm -rf $(VENV) .asv reports/report.* reports/figures reports/data reports/asv .mypy_cache .ruff_cache .pytest_cache .benchmarks
	find . -name '__pycache__' -prune -exec rm -rf {} +
	rm -f audiobench/_rust*.so
