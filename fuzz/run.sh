#!/usr/bin/env bash
# Fuzz the JSON-tier nodes for a while: ./run.sh [seconds]   (default 60)
#
# Installs cargo-fuzz if it is missing, seeds the working corpus from seeds/ (committed) into
# corpus/ (ignored), runs the `json_node_input` target under AddressSanitizer for the given
# time and prints how many inputs were executed. Exits non-zero if the fuzzer finds a crash
# (the input is saved under artifacts/json_node_input/) or cannot run.
#
# Env: FUZZ_SANITIZER (default `address`; `none` builds without a sanitizer, faster).
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [seconds]   (a positive integer, default 60)" >&2
    exit 2
fi
target=json_node_input
sanitizer="${FUZZ_SANITIZER:-address}"

cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not found; installing it" >&2
    cargo install cargo-fuzz --locked
fi

# cargo-fuzz passes unstable rustc flags (-Zsanitizer, ...); this lets a stable toolchain
# accept them. It is a no-op on nightly.
export RUSTC_BOOTSTRAP=1

corpus="corpus/$target"
mkdir -p "$corpus"
cp -n "seeds/$target"/* "$corpus"/

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
    -max_total_time="$seconds" -print_final_stats=1 2>&1 | tee "$log" || status=$?

runs="$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)"
done_line="$(grep -E '^Done [0-9]+ runs' "$log" | tail -1 || true)"
echo
echo "fuzz target $target, sanitizer $sanitizer, ${seconds}s requested"
echo "executions: ${runs:-unknown}${done_line:+ ($done_line)}"
echo "corpus entries now: $(find "$corpus" -type f | wc -l)"
if [ "$status" -ne 0 ]; then
    echo "FAILED: cargo fuzz exited with $status; see the crash report above and artifacts/$target/" >&2
    exit "$status"
fi
echo "no crash found"
