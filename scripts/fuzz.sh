#!/bin/sh
# Fuzzes every reader of user input with Jazzer (module migctl-fuzz): mig-parted and hooks files,
# workload files, environment specs, MatchSpecs, pip lines, checkpoints, trace files and the API's
# job spec JSON. Each must give a value or refuse with a clean message, never another exception.
#
#   scripts/fuzz.sh [SECONDS]     SECONDS in all (default 600), split evenly over the targets
#
# Each target runs in its own JVM (Jazzer fuzzes one test per JVM), after every target has
# replayed its committed inputs. A finding fails the run; Jazzer writes the input that caused it
# into the target's inputs folder (migctl-fuzz/src/test/resources/io/migctl/fuzz/<Target>Inputs/),
# where it stays as a regression test once fixed. New coverage-increasing inputs go to
# migctl-fuzz/.cifuzz-corpus/ (not committed). Prints a table: runs, seconds, coverage, findings.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 1

total=${1:-600}
case $total in
  '' | *[!0-9]*)
    echo "fuzz.sh: SECONDS must be a whole number, not '$total'" >&2
    exit 2
    ;;
esac
cd "$root"
targets=$(grep -rl '@FuzzTest' migctl-fuzz/src/test/java | sed 's|.*/||; s|\.java$||' | sort)
count=$(printf '%s\n' "$targets" | wc -l)
each=$((total / count))
[ "$each" -ge 1 ] || each=1
log="$root/migctl-fuzz/target/fuzz.log"
mkdir -p "$(dirname "$log")"
echo "fuzz.sh: $count targets, ${each}s each; log in $log" >&2
status=0
./mvnw -B -pl migctl-fuzz -am verify -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -DskipITs -Djacoco.skip=true -Dspotless.check.skip=true -Dmigctl.fuzz.duration="${each}s" \
  >"$log" 2>&1 || status=$?

# One row per fuzzed target, from libFuzzer's last status line and its "Done" line.
awk -v each="$each" '
  /Running io\.migctl\..*FuzzTest/ { name = $NF; sub(/.*\./, "", name); fuzzing = seen[name]++ }
  fuzzing && /cov: [0-9]+/ { for (i = 1; i <= NF; i++) { if ($i == "cov:") cov[name] = $(i+1); if ($i == "corp:") corp[name] = $(i+1) } }
  fuzzing && /^Done [0-9]+ runs in [0-9]+ second/ { runs[name] = $2; secs[name] = $5 }
  fuzzing && /FuzzTestFindingException/ { found[name] = 1 }
  END {
    for (n in seen) if (seen[n] > 1) {
      r = runs[n] + 0; s = secs[n] + 0
      printf "| %s | %d | %d | %d | %s | %s | %s |\n", n, s, r, (s > 0 ? r / s : 0), cov[n], corp[n], (found[n] ? "yes" : "none")
    }
  }' "$log" | sort >"$log.rows"
echo "| target | seconds | runs | runs/s | coverage (edges) | corpus | finding |"
echo "|---|--:|--:|--:|--:|--:|---|"
cat "$log.rows"
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: the run failed (a finding, or the build); see $log and migctl-fuzz/target/fuzz-reports/" >&2
fi
exit "$status"
