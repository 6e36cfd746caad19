#!/usr/bin/env bash
# Runs the classic experiment ({}) against a running Flatness Lab and records its wall time,
# per-phase times, peak memory of the service process and the two classic charts.
#
# Usage: start the service with the README's run command, then in a second shell
#   bench/classic.sh [OUTPUT_DIR]
# Environment: BASE_URL (default http://localhost:8080), SPEC (default {}),
# SAMPLE_SECONDS (memory sampling period, default 2). Needs curl, python3 and the JDK's jstat.
set -euo pipefail

base_url=${BASE_URL:-http://localhost:8080}
spec=${SPEC:-'{}'}
period=${SAMPLE_SECONDS:-2}
out=${1:-bench-output}
mkdir -p "$out"

pid=$(pgrep -f 'io.flatnesslab.FlatnessLabApplication|flatness-lab-.*\.jar' | head -n 1 || true)
if [ -z "$pid" ]; then
  echo "No Flatness Lab process found; start it first with the README's run command." >&2
  exit 1
fi

location=$(curl -sS -D - -o "$out/submitted.json" -H 'Content-Type: application/json' -d "$spec" \
  "$base_url/api/experiments" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
if [ -z "$location" ]; then
  echo "Submission failed:" >&2
  cat "$out/submitted.json" >&2
  exit 1
fi
echo "Submitted $location; sampling process $pid every ${period}s into $out/memory.tsv"

printf 'seconds\trss_kib\theap_used_kib\theap_committed_kib\toffheap_estimate_kib\tphase\n' > "$out/memory.tsv"
started=$(date +%s)
status=QUEUED
while :; do
  now=$(( $(date +%s) - started ))
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  # jstat -gc columns: S0C S1C S0U S1U EC EU OC OU MC MU ...; heap = survivors + eden + old.
  heap=$(jstat -gc "$pid" | awk 'NR == 2 {printf "%d\t%d", $3 + $4 + $6 + $8, $1 + $2 + $5 + $7}')
  # Estimated off-heap memory: resident size minus used JVM pools (service gauge).
  offheap=$(curl -sS "$base_url/actuator/metrics/flatnesslab.memory.outside.jvm.pools" \
    | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["measurements"][0]["value"] // 1024))' 2>/dev/null || echo NA)
  state=$(curl -sS "$base_url$location")
  status=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' <<<"$state")
  phase=$(python3 -c 'import json,sys; p=json.load(sys.stdin)["progress"]; print(p["phase"], p["currentGroup"], p["currentRun"], p["currentEpoch"], sep=":")' <<<"$state")
  printf '%s\t%s\t%s\t%s\t%s\n' "$now" "$rss" "$heap" "$offheap" "$phase" >> "$out/memory.tsv"
  case "$status" in SUCCEEDED|FAILED|CANCELLED) break ;; esac
  sleep "$period"
done
peak_rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
echo "$state" > "$out/experiment.json"
echo "Finished with status $status after $(( $(date +%s) - started )) s; peak RSS ${peak_rss} KiB"

curl -sS -o "$out/results.json" "$base_url$location/results"
curl -sS -o "$out/flatness-over-vs-under.png" "$base_url$location/charts/flatness.png?groups=over-natural,under-natural"
curl -sS -o "$out/flatness-natural-vs-random.png" "$base_url$location/charts/flatness.png?groups=over-natural,over-random"

python3 - "$out" "$peak_rss" <<'PY'
import json, sys
out, peak_rss = sys.argv[1], int(sys.argv[2])
experiment = json.load(open(f"{out}/experiment.json"))
results = json.load(open(f"{out}/results.json"))
rows = [line.rstrip("\n").split("\t") for line in open(f"{out}/memory.tsv")][1:]
peak_heap = max(int(row[2]) for row in rows)
offheap = [int(row[4]) for row in rows if row[4].isdigit()]
summary = {
    "status": experiment["status"],
    "createdAt": experiment["createdAt"], "startedAt": experiment["startedAt"], "finishedAt": experiment["finishedAt"],
    "peakRssMiB": round(peak_rss / 1024, 1),
    "peakSampledHeapUsedMiB": round(peak_heap / 1024, 1),
    "peakSampledOffHeapEstimateMiB": round(max(offheap) / 1024, 1) if offheap else None,
    "groups": [],
}
for group in results["groups"]:
    summary["groups"].append({
        "key": group["key"], "parameterCount": group["parameterCount"],
        "runs": [{"epochs": r["epochsTrained"], "trainAccuracy": r["finalTrainAccuracy"],
                  "fullAccuracy": r["reachedFullTrainAccuracy"], "baselineLoss": r["baselineLoss"],
                  "trainingSeconds": r["trainingSeconds"], "measuringSeconds": r["measuringSeconds"]}
                 for r in group["runs"]],
        "lossIncrease": group["lossIncrease"],
    })
json.dump(summary, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(summary, indent=2))
PY
