#!/bin/bash
# Recipe experiments on the device machine: trains presets with different optimizer/schedule/init
# settings and seeds, one JSON line each, to choose the presets' recipes from measurements.
# Same set-up as device-run.sh (carry .carry/train-bench). Each line of the sweep file is:
#   PRESET SEED 'TRAINING_JSON'     (TRAINING_JSON may be {} for the preset as it is)
# Usage: bash bench/recipe-sweep.sh bench/sweeps/NAME.txt
set -u
C=${CARRY:-.carry/train-bench}
OUT=${OUT:-/tmp/bench-out}
mkdir -p "$OUT"
. "$(dirname "$0")/device-setup.sh"
DEADLINE=${DEADLINE:-540}
start=$(date +%s)
while read -r preset seed training; do
  [ -z "$preset" ] || [ "${preset:0:1}" = "#" ] && continue
  if [ $(( $(date +%s) - start )) -gt "$DEADLINE" ]; then echo "deadline: skipped $preset $seed $training" >&2; continue; fi
  training=${training#\'}; training=${training%\'}
  timeout 120 /tmp/b/node "$C/train.mjs" --preset "$preset" --seed "$seed" --data "$C/mnist" --json --training "$training" \
    >> "$OUT/sweep.jsonl" 2>> "$OUT/sweep.log" || echo "failed: $preset $seed $training" >&2
done < "$1"
python3 - "$OUT/sweep.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try: r = json.loads(line)
    except Exception: continue
    accs = [round(100 * e['testAccuracy'], 2) for e in r.get('perEpoch', []) if e.get('testAccuracy') is not None]
    print(f"{r['preset']:16} seed {r['seed']} {json.dumps(r.get('trainingOverride'))[:90]:90} final {100*r['testAccuracy']:.2f}% per-epoch {accs} {r['msPerStep']:.3f} ms/step {r['msTotal']:.0f} ms")
PY
