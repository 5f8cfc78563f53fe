#!/bin/sh
# JMH benchmarks of one scheduling decision as the node daemon takes it after an event (one job
# finishes, one arrives, then io.migctl.core.job.IncrementalScheduler.decide) on a simulated fleet of 1,000
# and 10,000 A100-40GB GPUs with mixed MIG layouts, ~80% of devices busy and a queue as deep as the
# fleet (seed 42). Prints p50/p99/max of one event and its decision (JMH sample mode) and events per
# second (throughput), for the daemon's IncrementalScheduler and for a decision rebuilt from a snapshot of the
# whole queue (Scheduler.decide). Issue 8 asks for p99 under 1 ms at 1,000 GPUs and under 5 ms at
# 10,000. Builds migctl-bench first. Extra arguments go to JMH and override the defaults, e.g.
#   scripts/bench-scale.sh -p scheduler=daemon,snapshot,straightforward -p gpus=1000
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 1

log="$root/migctl-bench/target/build.log"
mkdir -p "$root/migctl-bench/target"
echo "bench-scale: building migctl-bench..." >&2
if ! (cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
    -pl migctl-bench -am package >"$log" 2>&1); then
  echo "bench-scale: the build failed; see $log" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -f "$log"
echo "bench-scale: $(nproc 2>/dev/null || echo '?') CPUs, $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)" >&2

exec "$JAVA_HOME/bin/java" -cp "$root/migctl-bench/target/migctl-bench.jar" \
  io.migctl.bench.scale.ScaleReport \
  -wi 3 -w 2s -i 5 -r 2s -f 1 -jvmArgs "-Xms2g -Xmx2g" "$@" 'io\.migctl\.bench\.scale\..*'
