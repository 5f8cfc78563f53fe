#!/bin/sh
# Compares migctl's MIG apply with NVIDIA mig-parted's algorithm on random reconfigurations of
# simulated A100-40GB and H100-80GB GPUs (seed 42, 1000 transitions each) and prints a Markdown
# table: driver operations, refusals and failures, busy and idle MIG devices destroyed.
# Builds migctl-bench first. Extra arguments go to the benchmark and override the defaults,
# e.g. scripts/bench-transitions.sh --transitions 200 --models a100-40gb.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 1

log="$root/migctl-bench/target/build.log"
mkdir -p "$root/migctl-bench/target"
echo "bench-transitions: building migctl-bench..." >&2
if ! (cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
    -pl migctl-bench -am package >"$log" 2>&1); then
  echo "bench-transitions: the build failed; see $log" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -f "$log"

exec "$JAVA_HOME/bin/java" -cp "$root/migctl-bench/target/migctl-bench.jar" \
  io.migctl.bench.TransitionBenchmark \
  --seed 42 --transitions 1000 --models a100-40gb,h100-80gb "$@"
