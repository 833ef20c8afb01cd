#!/bin/bash
# A/B speed check of two engine bundles on the device machine, in ONE call: $C/train-before.mjs (built
# from the base commit) and $C/train.mjs (the change), run alternately on the same warm GPU so drift
# hits both alike. Build them here with `node scripts/bench.mjs build --outfile $C/train-before.mjs`
# on the base commit and `... --outfile $C/train.mjs` on the change; carry $C as bench/device-run.sh does.
#   run(command="bash bench/ab-run.sh", carry=[".carry/train-bench"])
# Env: PRESETS (default: every MNIST preset), ROUNDS (default 2), ARGS (extra options for every run).
# Writes $OUT/ab.jsonl: one engine JSON line per run, with "bundle" and "round" added.
set -u
C=${CARRY:-.carry/train-bench}
OUT=${OUT:-/tmp/bench-out}
mkdir -p "$OUT"
. "$(dirname "$0")/device-setup.sh"
nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader > "$OUT/gpu.txt" 2>&1
for round in $(seq 1 "${ROUNDS:-2}"); do
  for preset in ${PRESETS:-fast-cnn pytorch-cnn mlp keras-small-cnn keras-cnn}; do
    for bundle in before after; do
      file=$C/train.mjs
      [ "$bundle" = before ] && file=$C/train-before.mjs
      echo "== $bundle $preset round $round" >> "$OUT/log.txt"
      timeout 240 /tmp/b/node "$file" --preset "$preset" --data "$C/mnist" --json --seed "$round" ${ARGS:-} 2>> "$OUT/log.txt" |
        sed "s/^{/{\"bundle\":\"$bundle\",\"round\":$round,/" >> "$OUT/ab.jsonl"
    done
  done
done
wc -l "$OUT/ab.jsonl"
