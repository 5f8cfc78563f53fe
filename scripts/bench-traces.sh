#!/bin/sh
# Trace-driven evaluation (issues 8, 18): runs whole-gpu, every static layout, per-GPU mixes (the
# planner's mix and a local search, --search-budget simulation runs) and dynamic on MISO's 100-job
# workload on 8 simulated A100-40GB GPUs (mean over seeds 1..5), on the Alibaba v2023 GPU-sharing
# trace when the file is there, on Alibaba's multi-GPU list (gang jobs on whole GPUs; the list has
# no times: seeded synthesis, see the README) on 16 GPUs when it is there, and on a generated
# mixed-demand trace (5 % whole-GPU jobs; --mixed none skips it); each table shows the ratio to a lower bound on mean JCT and dynamic guarded by the
# best static. Prints Markdown tables and writes JSON and SVG charts to --out (default
# migctl-bench/target/trace-report). Builds migctl-bench first. Extra arguments go to
# io.migctl.bench.trace.TraceReport and override the defaults, e.g.
# scripts/bench-traces.sh --seeds 10 --reconfig 10 --alibaba-gpus 24 --search-budget 1000.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 1

log="$root/migctl-bench/target/build.log"
mkdir -p "$root/migctl-bench/target"
echo "bench-traces: building migctl-bench..." >&2
if ! (cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
    -pl migctl-bench -am package >"$log" 2>&1); then
  echo "bench-traces: the build failed; see $log" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -f "$log"

traces="$root/../shared/reference/traces"
set -- --miso "$traces/miso" --out "$root/migctl-bench/target/trace-report" "$@"
if [ -f "$traces/alibaba-gpu-v2023/openb_pod_list_gpushare100.csv" ]; then
  set -- --alibaba "$traces/alibaba-gpu-v2023/openb_pod_list_gpushare100.csv" "$@"
fi
if [ -f "$traces/alibaba-gpu-v2023/openb_pod_list_multigpu50.csv" ]; then
  set -- --multigpu "$traces/alibaba-gpu-v2023/openb_pod_list_multigpu50.csv" "$@"
fi
exec "$JAVA_HOME/bin/java" -cp "$root/migctl-bench/target/migctl-bench.jar" \
  io.migctl.bench.trace.TraceReport "$@"
