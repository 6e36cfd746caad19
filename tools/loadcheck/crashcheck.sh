#!/usr/bin/env bash
# Crash check: run a full-width experiment once without interruption, run it again and kill
# the service with SIGKILL in the middle of training, start the service again, and compare the
# resumed experiment's results with the uninterrupted ones. Loopback only; uses its own data
# folder and port. Usage: tools/loadcheck/crashcheck.sh [JAR] (build the jar first with
# mvn -B -DskipTests package).
set -euo pipefail

JAR=${1:-target/flatness-lab-0.1.0-SNAPSHOT.jar}
WORK=$(mktemp -d /tmp/flatnesslab-crashcheck-XXXX)
PORT=${PORT:-18081}
URL=http://127.0.0.1:$PORT
KILL_AFTER_EPOCH=${KILL_AFTER_EPOCH:-4}
SPEC='{"seed": 5, "training": {"maxEpochs": 6, "stopAtFullTrainAccuracy": false},
 "groups": [{"key": "over-natural", "hiddenLayers": [5000, 5000]}], "runsPerGroup": 1,
 "flatness": {"epsilons": [0.01, 0.05, 0.1], "directions": 3, "twoSided": true}}'

start_service() {
    java -jar "$JAR" --server.port="$PORT" --flatnesslab.data-directory="$WORK/data" \
        --flatnesslab.jobs.checkpoint-interval=10s >> "$WORK/service.log" 2>&1 &
    PID=$!
    until curl -sf "$URL/actuator/health" > /dev/null; do sleep 1; done
}

field() {
    curl -sf "$URL/api/experiments/$1" | python3 -c "import json, sys; v = json.load(sys.stdin); print($2)"
}

submit() {
    curl -sf -H 'Content-Type: application/json' -d "$SPEC" "$URL/api/experiments" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

wait_final() {
    until field "$1" 'v["status"]' | grep -qE 'SUCCEEDED|FAILED|CANCELLED'; do sleep 2; done
    field "$1" 'v["status"]'
}

trap 'kill "$PID" 2> /dev/null || true' EXIT
start_service
reference=$(submit)
echo "uninterrupted experiment $reference: $(wait_final "$reference")"

crashed=$(submit)
until [ "$(field "$crashed" 'v["progress"]["phase"] == "TRAINING" and (v["progress"]["currentEpoch"] or 0) >= '"$KILL_AFTER_EPOCH")" = True ]; do
    sleep 0.5
done
echo "experiment $crashed before SIGKILL: $(field "$crashed" 'v["progress"]')"
kill -9 "$PID"
wait "$PID" 2> /dev/null || true

start_service
echo "experiment $crashed after restart: $(field "$crashed" 'v["status"], v["progress"]["recoveries"]')"
echo "experiment $crashed resumed: $(wait_final "$crashed")"

curl -sf "$URL/api/experiments/$reference/results" > "$WORK/uninterrupted.json"
curl -sf "$URL/api/experiments/$crashed/results" > "$WORK/resumed.json"
python3 - "$WORK/uninterrupted.json" "$WORK/resumed.json" <<'PY'
import json
import sys

uninterrupted, resumed = (json.load(open(path)) for path in sys.argv[1:3])
ignored = {"runId", "trainingSeconds", "measuringSeconds", "snapshot"}
same = True
for group_a, group_b in zip(uninterrupted["groups"], resumed["groups"]):
    for run_a, run_b in zip(group_a["runs"], group_b["runs"]):
        for key in run_a:
            if key not in ignored:
                equal = run_a[key] == run_b[key]
                same = same and equal
                print(f"{group_a['key']}#{run_a['runIndex']} {key}: {'identical' if equal else 'DIFFERENT'}")
print("resumed results identical to uninterrupted:", same)
sys.exit(0 if same else 1)
PY
grep -E "resumed from|Queued again" "$WORK/service.log" | cut -c 1-400
