#!/bin/bash
# Runs the training benchmarks on the device machine (no Node, no npm, no network there), in ONE call.
#
# Here, once (see /work/shared/WEBGPU.md §3); .carry/ is git-ignored and travels with `carry`:
#   C=.carry/train-bench; mkdir -p $C/mnist
#   cp "$(readlink -f "$(which node)")" /tmp/node && xz -T2 -c /tmp/node > $C/node.xz
#   xz -c node_modules/webgpu/dist/linux-x64/dawn.node > $C/dawn.node.xz
#   cp public/data/mnist/*.gz $C/mnist/
#   (cd $C && apt-get -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64 \
#       download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libgles2 libopengl0)   # after `apt-get $o update`
#   node scripts/bench.mjs build --outfile $C/train.mjs   # re-run after every engine change
# Then, with the device tool:  run(command="bash bench/device-run.sh all", carry=[".carry/train-bench"])
#
# Jobs (default: all, in this order): mlp fast-cnn torch pytorch-cnn keras-small-cnn keras-cnn
#   mlp, fast-cnn                         our engine at the preset's full recipe, then TF.js for 1 epoch (--vs tfjs)
#   pytorch-cnn, keras-small-cnn, keras-cnn   our engine at the preset's full recipe
#   torch                                 eager PyTorch, every preset at its full recipe
#   layers                                each CNN preset and mlp for 1 epoch with --layer-costs (every layer's forward and
#                                         backward pass timed alone with GPU timestamps; "layerCosts" in engine.jsonl)
#   torch-compile                         PyTorch with torch.compile(mode="reduce-overhead"), fast-cnn and mlp, 1 epoch
#   kernels                               bench/kernels.ts (matmul 1024-4096, the presets' conv layers, --sweep of tile sizes)
#                                         from $C/kernels.mjs (node scripts/bench.mjs build --bench kernels --outfile $C/kernels.mjs);
#                                         also $C/kernels-base.mjs when present (a bundle of an older commit, to compare)
#   matmul-sweep                          bench/matmul-sweep.mjs at 4096 and 2048 (structures of big matmul kernels), writes $OUT/matmul-sweep.jsonl
# Env: DEADLINE (seconds after which jobs not yet begun are skipped), MAXS (seconds of training per engine run before it stops cleanly, default 60),
#      ENGINE_ARGS (extra options for every engine run), OUT (output folder; the device tool sets it).
# Writes $OUT/engine.jsonl, $OUT/torch.jsonl, $OUT/log.txt and prints a table last.
set -u
C=${CARRY:-.carry/train-bench}
OUT=${OUT:-/tmp/bench-out}
MAXS=${MAXS:-60}
mkdir -p "$OUT"
LOG=$OUT/log.txt

. "$(dirname "$0")/device-setup.sh"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv,noheader >> "$LOG" 2>&1
echo "kernel $(uname -r)" >> "$LOG"

# Probe: does Dawn see the NVIDIA adapter? If not, log why (loader debug, missing libraries) and skip our runs.
PROBE='const d=require(process.env.DAWN_NODE);Object.assign(globalThis,d.globals);const g=d.create([]);globalThis.keep=g;
g.requestAdapter({powerPreference:"high-performance"}).then(a=>{console.log(a?"adapter "+[a.info.vendor,a.info.architecture,a.info.description].join(" / "):"NO_ADAPTER");process.exit(a?0:3)})'
ADAPTER_OK=1
if ! /tmp/b/node -e "$PROBE" 2>&1 | tee -a "$LOG" | grep -q '^adapter'; then
  ADAPTER_OK=0
  echo "no WebGPU adapter: diagnostics follow" | tee -a "$LOG" >&2
  ICD=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['ICD']['library_path'])" "$VK_DRIVER_FILES" 2>/dev/null)
  echo "icd library: $ICD" >> "$LOG"
  LIB=$(ldconfig -p | awk -v n="$ICD" '$1==n{print $NF; exit}')
  [ -n "$LIB" ] && ldd "$LIB" 2>&1 | grep -i 'not found' >> "$LOG"
  ls -la /dev/nvidia* >> "$LOG" 2>&1
  VK_LOADER_DEBUG=error,warn,driver /tmp/b/node -e "$PROBE" 2>&1 | head -40 >> "$LOG"
fi

engine() { # preset, extra args...
  local preset=$1; shift
  [ $ADAPTER_OK = 1 ] || { echo "skip engine $preset: no adapter" | tee -a "$LOG" >&2; return; }
  echo "== engine $preset $*" | tee -a "$LOG" >&2
  timeout $((MAXS + 120)) /tmp/b/node "$C/train.mjs" --preset "$preset" --data "$C/mnist" --json --max-seconds "$MAXS" \
    ${ENGINE_ARGS:-} "$@" >> "$OUT/engine.jsonl" 2>> "$LOG" || echo "engine $preset exited $?" | tee -a "$LOG" >&2
}
torchref() { # extra args...
  echo "== torch $*" | tee -a "$LOG" >&2
  PYTHONUNBUFFERED=1 timeout 240 python3 bench/pytorch_reference.py --data "$C/mnist" "$@" >> "$OUT/torch.jsonl" 2>> "$LOG" \
    || echo "torch exited $?" | tee -a "$LOG" >&2
}

jobs=("$@")
[ ${#jobs[@]} -eq 0 ] || [ "${jobs[0]}" = all ] && jobs=(mlp fast-cnn torch pytorch-cnn keras-small-cnn keras-cnn)
for j in "${jobs[@]}"; do
  # DEADLINE (seconds since start): jobs not begun by then are skipped, so the summary still prints.
  if [ -n "${DEADLINE:-}" ] && [ $SECONDS -gt "$DEADLINE" ]; then echo "skip $j: past DEADLINE" | tee -a "$LOG" >&2; continue; fi
  case $j in
    mlp|fast-cnn) engine "$j" --vs tfjs --tfjs-epochs 1 ;;
    pytorch-cnn|keras-small-cnn|keras-cnn) engine "$j" ;;
    layers) for p in pytorch-cnn keras-cnn fast-cnn mlp; do engine "$p" --epochs 1 --layer-costs; done ;;
    torch) torchref --preset all ;;
    torch-compile) torchref --preset fast-cnn,mlp --epochs 1 --compile-mode reduce-overhead --warmup 40 ;;
    kernels)
      for b in kernels-base kernels; do
        [ -f "$C/$b.mjs" ] || continue
        [ $ADAPTER_OK = 1 ] || { echo "skip $b: no adapter" | tee -a "$LOG" >&2; continue; }
        echo "== $b" | tee -a "$LOG" >&2
        extra=(); [ $b = kernels ] && extra=(--sweep)
        timeout 300 /tmp/b/node "$C/$b.mjs" "${extra[@]}" ${KERNEL_ARGS:-} > "$OUT/$b.jsonl" 2>> "$LOG" || echo "$b exited $?" | tee -a "$LOG" >&2
      done ;;
    matmul-sweep)
      [ $ADAPTER_OK = 1 ] || { echo "skip matmul-sweep: no adapter" | tee -a "$LOG" >&2; continue; }
      echo "== matmul-sweep" | tee -a "$LOG" >&2
      timeout 200 /tmp/b/node bench/matmul-sweep.mjs --sizes 4096,2048 > "$OUT/matmul-sweep.jsonl" 2>> "$LOG" \
        || echo "matmul-sweep exited $?" | tee -a "$LOG" >&2 ;;
    *) echo "unknown job $j" >&2 ;;
  esac
done

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def rows(name):
    p = os.path.join(out, name)
    return [json.loads(l) for l in open(p) if l.strip().startswith("{")] if os.path.exists(p) else []
torch = {}
for r in rows("torch.jsonl"):
    torch.setdefault(r["preset"], r)
print("preset | ours ms/step | tfjs ms/step | torch ms/step | ours acc (epochs) | torch acc | target met | disp/step | submits/step | adapter")
for r in rows("engine.jsonl"):
    t = torch.get(r["preset"], {})
    a = r["adapter"]
    print(f'{r["preset"]} | {r["msPerStep"]} | {r.get("tfjsMsPerStep", "-")} (acc {r.get("tfjsTestAccuracy", "-")}) | {t.get("msPerStep", "-")} | '
          f'{r["testAccuracy"]} ({r["epochsCompleted"]}/{r["epochs"]}, {r["end"][:20]}) | {t.get("testAccuracy", "-")} | '
          f'{(r.get("target") or {}).get("met")} | {r["dispatchesPerStep"]} | {r["submitsPerStep"]} | {a["vendor"]}/{a["architecture"]}/{a["description"]}')
for p, t in torch.items():
    print(f'torch {p}: {t["msPerStep"]} ms/step, total {t["msTotal"]} ms, acc {t["testAccuracy"]}, target met {(t.get("target") or {}).get("met")}, {t["device"]}')
PY
