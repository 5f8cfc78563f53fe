#!/bin/sh
# Measures the node daemon in this JVM on a simulated a100-40gb:2 node and prints two Markdown
# tables, each against a baseline measured in the same run:
#   1. job submission throughput through POST /api/v1/jobs, every job committed durably to SQLite
#      (WAL, synchronous=FULL) before the answer, concurrent ones sharing a commit (group commit),
#      against the same inserts into SQLite alone, one transaction each and sharing commits, with
#      the HTTP floor (GET /api/v1/health); 1 and 8 client threads, each on its own kept-alive
#      connection; wall-clock rates and the process's CPU time per request, which other load on
#      the machine disturbs less (DaemonSubmitBenchmark);
#   2. submit-to-exec latency of a trivial job (p50, p90, p99, max), against starting the same
#      command with ProcessBuilder (SubmitToExecBenchmark).
# Builds migctl-bench and the modules it needs (not their tests) first. About 2 minutes on 2
# cores with the defaults, plus the build. Options:
#   --jobs N           timed submissions (and inserts, health requests) per row (default 2000)
#   --warmup N         untimed inserts and submissions first, for the JIT (default 5000)
#   --threads 1,8      client thread counts (default 1,8)
#   --rounds N         turns the throughput rows take (default 10)
#   --exec-jobs M      timed jobs per latency path (default 200)
#   --exec-warmup N    untimed jobs per latency path first (default 20)
#   --paths P1,P2      latency paths: process (the baseline, always), supervisor, daemon,
#                      daemon-gpu (default process,daemon)
#   --dir DIR          where the temporary daemon homes go (default: java.io.tmpdir); the sync
#                      latency of its file system decides the throughput
#   --only submit|exec run one of the two
# e.g. scripts/bench-daemon.sh --jobs 500 --exec-jobs 50 --paths process,supervisor,daemon,daemon-gpu
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 1

usage() {
  sed -n 's/^# \{0,1\}//; 2,25p' "$0" >&2
  exit 2
}

submit_args=""
exec_args=""
only=""
while [ "$#" -gt 0 ]; do
  [ "$#" -ge 2 ] || {
    echo "bench-daemon: $1 needs a value" >&2
    usage
  }
  case $1 in
    --jobs | --warmup | --threads | --rounds) submit_args="$submit_args $1 $2" ;;
    --exec-jobs) exec_args="$exec_args --jobs $2" ;;
    --exec-warmup) exec_args="$exec_args --warmup $2" ;;
    --paths) exec_args="$exec_args --paths $2" ;;
    --dir)
      submit_args="$submit_args --dir $2"
      exec_args="$exec_args --dir $2"
      ;;
    --only)
      case $2 in
        submit | exec) only=$2 ;;
        *)
          echo "bench-daemon: --only takes submit or exec, not '$2'" >&2
          exit 2
          ;;
      esac
      ;;
    *)
      echo "bench-daemon: unknown option '$1'" >&2
      usage
      ;;
  esac
  case $2 in
    *[[:space:]]*)
      echo "bench-daemon: the value of $1 must not contain spaces" >&2
      exit 2
      ;;
  esac
  shift 2
done

log="$root/migctl-bench/target/build.log"
mkdir -p "$root/migctl-bench/target"
echo "bench-daemon: building migctl-bench..." >&2
if ! (cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
  -pl migctl-bench -am package >"$log" 2>&1); then
  echo "bench-daemon: the build failed; see $log" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
rm -f "$log"

jar="$root/migctl-bench/target/migctl-bench.jar"
bench() {
  # sqlite-jdbc loads a native library: allow it without a warning.
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" "$@"
}

# The argument lists hold no spaces but the separators (checked above): split them on purpose.
if [ "$only" != exec ]; then
  # shellcheck disable=SC2086
  bench io.migctl.bench.DaemonSubmitBenchmark $submit_args
fi
if [ -z "$only" ]; then
  echo
fi
if [ "$only" != submit ]; then
  # shellcheck disable=SC2086
  bench io.migctl.bench.SubmitToExecBenchmark $exec_args
fi
