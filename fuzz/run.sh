#!/usr/bin/env bash
# Fuzz for a while: ./run.sh [seconds] [target ...]   (default 60 s, every target, one after
# the other, each for the given time)
#
# Targets (fuzz_targets/): `json_node_input` (arbitrary JSON into the rust-json nodes) and
# `direct_kernels` (arbitrary samples, lengths and channel counts through every direct kernel
# and fast node). Installs cargo-fuzz if it is missing, seeds each working corpus from seeds/
# (committed) into corpus/ (ignored), runs each target under AddressSanitizer and prints how
# many inputs were executed. Exits non-zero if the fuzzer finds a crash (the input is saved
# under artifacts/<target>/) or cannot run.
#
# Env: FUZZ_SANITIZER (default `address`; `none` builds without a sanitizer, faster).
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [seconds] [target ...]   (seconds: a positive integer, default 60)" >&2
    exit 2
fi
shift || true
sanitizer="${FUZZ_SANITIZER:-address}"

cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not found; installing it" >&2
    cargo install cargo-fuzz --locked
fi

# cargo-fuzz passes unstable rustc flags (-Zsanitizer, ...); this lets a stable toolchain
# accept them. It is a no-op on nightly.
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(json_node_input direct_kernels)
fi

fuzz_one() {
    local target="$1" corpus="corpus/$1" log status=0
    if [ ! -f "fuzz_targets/$target.rs" ]; then
        echo "unknown fuzz target $target (fuzz_targets/*.rs)" >&2
        return 2
    fi
    mkdir -p "$corpus"
    cp -n "seeds/$target"/* "$corpus"/
    log="$(mktemp)"
    cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
        -max_total_time="$seconds" -print_final_stats=1 2>&1 | tee "$log" || status=$?
    local runs done_line
    runs="$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)"
    done_line="$(grep -E '^Done [0-9]+ runs' "$log" | tail -1 || true)"
    rm -f "$log"
    echo
    echo "fuzz target $target, sanitizer $sanitizer, ${seconds}s requested"
    echo "executions: ${runs:-unknown}${done_line:+ ($done_line)}"
    echo "corpus entries now: $(find "$corpus" -type f | wc -l)"
    if [ "$status" -ne 0 ]; then
        echo "FAILED: cargo fuzz exited with $status; see the crash report above and artifacts/$target/" >&2
        return "$status"
    fi
    echo "no crash found"
}

for target in "${targets[@]}"; do
    fuzz_one "$target"
done
