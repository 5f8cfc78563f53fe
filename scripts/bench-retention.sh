#!/bin/sh
# Disk use of finished jobs (issue 13.8): N trivial jobs on a daemon in this JVM that keeps every
# finished job, against one that keeps the newest K (serve --keep-finished K), on a simulated
# a100-40gb:1 node; prints a Markdown table (job folders as du -sk reports them, the database
# files, the jobs left). Builds migctl-bench and the modules it needs (not their tests) first.
# Options: --jobs N (default 2000), --keep K (default 100), --sweep-every S (jobs between two
# retention sweeps, default 250), --dir DIR (where the temporary homes go).
# e.g. scripts/bench-retention.sh --jobs 5000 --keep 100
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 1

log="$root/migctl-bench/target/build.log"
mkdir -p "$root/migctl-bench/target"
echo "bench-retention: building migctl-bench..." >&2
if ! (cd "$root" && ./mvnw -B -q -Dmaven.test.skip=true -Dspotless.check.skip=true -Djacoco.skip=true \
  -pl migctl-bench -am package >"$log" 2>&1); then
  echo "bench-retention: the build failed; see $log" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -f "$log"

# sqlite-jdbc loads a native library: allow it without a warning.
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "$root/migctl-bench/target/migctl-bench.jar" io.migctl.bench.RetentionBenchmark "$@"
