#!/bin/sh
# Measures how long the command line takes to start and answer, as a user runs it (./migctl):
#   migctl --version
#   migctl --simulate a100-40gb:2 gpus
#   migctl jobs                      (against a 'migctl serve' running on the same home)
# each N times (default 5) under /usr/bin/time -v, on a fresh temporary MIGCTL_HOME, and prints a
# Markdown table of the medians: CPU (user+sys, the launcher's shell and find included), wall
# time and maximum resident set size. ./migctl builds the jar first when it is missing or older
# than the sources, as it always does; that build is not timed. Options:
#   --runs N   timed runs per command (default 5)
# e.g. scripts/bench-cli.sh --runs 9
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

runs=5
while [ "$#" -gt 0 ]; do
  case $1 in
    --runs)
      [ "$#" -ge 2 ] || {
        echo "bench-cli: --runs needs a number" >&2
        exit 2
      }
      case $2 in
        '' | *[!0-9]* | 0)
          echo "bench-cli: --runs takes a positive whole number, not '$2'" >&2
          exit 2
          ;;
      esac
      runs=$2
      shift 2
      ;;
    *)
      echo "bench-cli: unknown option '$1'; the only one is --runs N" >&2
      exit 2
      ;;
  esac
done
if [ ! -x /usr/bin/time ]; then
  echo "bench-cli: /usr/bin/time is missing; install GNU time (apt-get install time)" >&2
  exit 1
fi

home=$(mktemp -d)
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$home"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export MIGCTL_HOME="$home/home"
mkdir -m 700 "$MIGCTL_HOME"

# Builds the jar (and its AOT cache) when needed; untimed.
"$root/migctl" --version >/dev/null

"$root/migctl" --simulate a100-40gb:2 serve --port 0 >"$home/serve.log" 2>&1 &
serve_pid=$!
tries=0
until [ -s "$MIGCTL_HOME/daemon.json" ] && "$root/migctl" jobs >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 120 ] || ! kill -0 "$serve_pid" 2>/dev/null; then
    echo "bench-cli: 'migctl serve' did not answer; its output:" >&2
    cat "$home/serve.log" >&2
    exit 1
  fi
  sleep 0.5
done

# One timed run: prints "cpu_seconds wall_seconds max_rss_kib".
measure() {
  /usr/bin/time -v -o "$home/time.txt" "$root/migctl" "$@" >/dev/null 2>"$home/err.txt" || {
    echo "bench-cli: 'migctl $*' failed:" >&2
    cat "$home/err.txt" >&2
    exit 1
  }
  awk -F': ' '
    /User time/ { cpu += $2 }
    /System time/ { cpu += $2 }
    /Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); wall = 0
      for (i = 1; i <= n; i++) wall = wall * 60 + p[i]
    }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.3f %.3f %d\n", cpu, wall, rss }' "$home/time.txt"
}

median() {
  sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'
}

row() {
  label=$1
  shift
  : >"$home/samples.txt"
  i=0
  while [ "$i" -lt "$runs" ]; do
    measure "$@" >>"$home/samples.txt"
    i=$((i + 1))
  done
  cpu=$(cut -d' ' -f1 "$home/samples.txt" | median)
  wall=$(cut -d' ' -f2 "$home/samples.txt" | median)
  rss=$(cut -d' ' -f3 "$home/samples.txt" | median)
  printf '| `%s` | %s | %s | %d |\n' "$label" "$cpu" "$wall" "$((${rss%.*} / 1024))"
}

echo "Medians of $runs runs of ./migctl; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | CPU s (user+sys) | wall s | max RSS MiB |"
echo "|---|---:|---:|---:|"
row "migctl --version" --version
row "migctl --simulate a100-40gb:2 gpus" --simulate a100-40gb:2 gpus
row "migctl jobs (daemon running)" jobs
