#!/bin/sh
# Read-only hardware check of migctl's NVML driver, for a machine with an NVIDIA GPU.
#
# Records nvidia-smi's view (-L, -q -x, and with MIG on: mig -lgip, -lgipp, -lgi, -lci) and
# migctl's (--driver nvml gpus --json, profiles --json) into one folder, compares them (model,
# UUID, memory, MIG mode, profile table, placements, GPU instances) and prints a verdict line.
# It NEVER changes MIG mode, creates or destroys instances, or resets a GPU: every command it runs
# only lists. Keep the folder as test fixtures.
#
# Usage: scripts/hw-readonly-check.sh [OUT_DIR]     (default: hw-check-<host>-<date>)
# Exit: 0 PASS, 1 FAIL (differences), 2 SKIP (no GPU or no nvidia-smi), 3 migctl could not run.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/hw-check-$(hostname 2>/dev/null || echo host)-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
migctl_find_jdk || exit 3

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "verdict: SKIP (nvidia-smi not found: this is not a GPU machine)" | tee "$out/verdict.txt"
  exit 2
fi
nvidia-smi -L >"$out/nvidia-smi-L.txt" 2>&1
nvidia-smi -q -x >"$out/nvidia-smi-q.xml" 2>"$out/nvidia-smi-q.err"
nvidia-smi --query-gpu=index,name,mig.mode.current,mig.mode.pending --format=csv,noheader \
  >"$out/mig-mode.csv" 2>&1
if grep -q "Enabled" "$out/mig-mode.csv"; then
  # Listing commands only; "No GPU instances found" is a normal answer.
  nvidia-smi mig -lgip >"$out/lgip.txt" 2>&1
  nvidia-smi mig -lgipp >"$out/lgipp.txt" 2>&1
  nvidia-smi mig -lgi >"$out/lgi.txt" 2>&1
  nvidia-smi mig -lci >"$out/lci.txt" 2>&1
fi
nvidia-smi >"$out/nvidia-smi.txt" 2>&1

if ! "$root/migctl" --driver nvml gpus --json >"$out/migctl-gpus.json" 2>"$out/migctl-gpus.err"; then
  echo "verdict: ERROR (migctl --driver nvml gpus failed: $(head -n 3 "$out/migctl-gpus.err"))" \
    | tee "$out/verdict.txt"
  exit 3
fi
if ! "$root/migctl" --driver nvml profiles --json >"$out/migctl-profiles.json" 2>"$out/migctl-profiles.err"; then
  echo "verdict: ERROR (migctl --driver nvml profiles failed: $(head -n 3 "$out/migctl-profiles.err"))" \
    | tee "$out/verdict.txt"
  exit 3
fi
"$root/migctl" --driver nvml gpus >"$out/migctl-gpus.txt" 2>&1
"$root/migctl" --driver nvml profiles >"$out/migctl-profiles.txt" 2>&1

"$JAVA_HOME/bin/java" -cp "$root/migctl-cli/target/migctl.jar" io.migctl.nvidia.smi.HardwareCheck "$out" \
  >"$out/comparison.txt" 2>&1
status=$?
cat "$out/comparison.txt"
tail -n 1 "$out/comparison.txt" >"$out/verdict.txt"
echo "recorded in $out"
exit $status
