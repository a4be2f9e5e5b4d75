#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR (default build-fuzz) for SECONDS
# (default 5) each, on its seed corpus fuzz/corpus/NAME and with its
# dictionary fuzz/NAME.dict when there is one. New inputs go to a scratch
# directory, so the seed corpora stay as committed. Fails on the first
# target that crashes, leaks or aborts; its reproducer is left in the
# scratch directory, whose path is printed.
#   fuzz/run.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-5}
scratch=$(mktemp -d /tmp/nimbus-fuzz.XXXXXX)

shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets in $build/fuzz (build them with: make fuzz)" >&2
  exit 1
fi
for bin in "${targets[@]}"; do
  [ -x "$bin" ] && [ -f "$bin" ] || continue
  name=$(basename "$bin")
  short=${name#fuzz_}
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$scratch/$short-")
  [ -f "fuzz/$short.dict" ] && args+=(-dict="fuzz/$short.dict")
  mkdir -p "$scratch/$short"
  dirs=("$scratch/$short")
  [ -d "fuzz/corpus/$short" ] && dirs+=("fuzz/corpus/$short")
  if ! "$bin" "${args[@]}" "${dirs[@]}" > "$scratch/$short.log" 2>&1; then
    tail -n 60 "$scratch/$short.log" >&2
    echo "fuzz: $name failed; its log and reproducer are in $scratch/$short*" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$short.log" | grep -o '[0-9]*$')
  echo "fuzz: $name ok (${runs:-?} runs in ${seconds}s)"
done
rm -rf "$scratch"
