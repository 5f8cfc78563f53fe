#!/bin/sh
# Compares migctl's Kubernetes agent with the GPU Operator's MIG manager (NVIDIA mig-parted's
# algorithm) on the same nvidia.com/mig.config label changes on simulated nodes (a100-40gb:2,
# h100-80gb:2, a100-40gb:8) and prints a Markdown table: driver operations, GPUs reset, seconds
# the operator's GPU clients stay paused (a stated time model) and pods disturbed. Also writes
# migctl-bench/target/bench-k8s.md and bench-k8s.json. Builds migctl-bench first. Extra arguments
# go to the benchmark, e.g. scripts/bench-k8s.sh --nodes a100-40gb:2 --json.
# The configs come from NVIDIA's default file in the shared reference folder: MIGCTL_SHARED_DIR,
# default ../shared beside the repository.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 1

shared=${MIGCTL_SHARED_DIR:-$root/../shared}
config="$shared/reference/mig/mig-parted-default-config.yaml"
if [ ! -f "$config" ]; then
  echo "bench-k8s: $config not found; set MIGCTL_SHARED_DIR to the folder holding reference/mig/" >&2
  exit 2
fi

log="$root/migctl-bench/target/build.log"
mkdir -p "$root/migctl-bench/target"
echo "bench-k8s: building migctl-bench..." >&2
if ! (cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
    -pl migctl-bench -am package >"$log" 2>&1); then
  echo "bench-k8s: the build failed; see $log" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -f "$log"

exec "$JAVA_HOME/bin/java" -cp "$root/migctl-bench/target/migctl-bench.jar" \
  io.migctl.bench.K8sLabelChangeBench \
  --config "$config" --out "$root/migctl-bench/target" "$@"
