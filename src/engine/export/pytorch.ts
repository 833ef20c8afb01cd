/**
 * "Export as PyTorch": writes a runnable Python script with the same model, hyperparameters and
 * seed, so a student who outgrows the tab carries the same experiment to real hardware. The
 * script trains on MNIST with torchvision (or the raw idx files), and can run on several GPUs with
 * DistributedDataParallel when launched through `torchrun`.
 *
 * The layers map one to one: Conv2d(padding=p), MaxPool2d/AvgPool2d(size, stride), Flatten,
 * Dropout, Linear, activations; a final softmax is folded into CrossEntropyLoss as in our engine.
 * Dense weights are stored [in, out] here and [out, in] in PyTorch, so parameter counts match
 * while the tensors are transposes of each other.
 */
import type { LayerSpec, ModelSpec } from '../layers';
import type { OptimizerConfig } from '../ops/optimizer/cpu';
import type { ScheduleConfig } from '../schedules';
import { inferModel } from '../shapes';
import { followingActivation } from '../init';
import type { TrainingRecipe } from '../recipe';

export interface ExportOptions extends TrainingRecipe {
  model: ModelSpec;
  /** Shown in the script's header. */
  title?: string;
}

const py = (x: number): string => {
  if (!Number.isFinite(x)) throw new RangeError(`Cannot export ${x} as a Python number`);
  return Number.isInteger(x) ? String(x) : String(x).replace(/^(-?)\./, '$10.');
};

/** One nn.Module constructor call per layer (or null for a layer that is folded into the loss). */
function moduleFor(layer: LayerSpec, inputShape: number[], isLast: boolean, loss: ModelSpec['loss']): string | null {
  switch (layer.kind) {
    case 'dense': {
      const inF = inputShape.reduce((a, b) => a * b, 1);
      return inputShape.length > 1
        ? `nn.Sequential(nn.Flatten(), nn.Linear(${inF}, ${layer.units}))`
        : `nn.Linear(${inF}, ${layer.units})`;
    }
    case 'conv2d':
      return `nn.Conv2d(${inputShape[0]}, ${layer.filters}, kernel_size=${layer.kernel}, stride=${layer.stride}, padding=${layer.padding})`;
    case 'maxpool':
      return `nn.MaxPool2d(${layer.size}, stride=${layer.stride})`;
    case 'avgpool':
      return `nn.AvgPool2d(${layer.size}, stride=${layer.stride})`;
    case 'flatten':
      return 'nn.Flatten()';
    case 'dropout':
      return `nn.Dropout(${py(layer.rate)})`;
    case 'relu':
      return 'nn.ReLU()';
    case 'leakyRelu':
      return `nn.LeakyReLU(${py(layer.alpha)})`;
    case 'sigmoid':
      return 'nn.Sigmoid()';
    case 'tanh':
      return 'nn.Tanh()';
    case 'softmax':
      // CrossEntropyLoss applies log-softmax itself, exactly like our fused loss kernel.
      return isLast && loss === 'softmaxCrossEntropy' ? null : 'nn.Softmax(dim=1)';
  }
}

function optimizerLine(o: OptimizerConfig): string {
  switch (o.kind) {
    case 'sgd':
      return `torch.optim.SGD(model.parameters(), lr=${py(o.learningRate)}, momentum=${py(o.momentum)}, nesterov=${o.nesterov ? 'True' : 'False'}, weight_decay=${py(o.weightDecay ?? 0)})`;
    case 'adam':
      return `torch.optim.Adam(model.parameters(), lr=${py(o.learningRate)}, betas=(${py(o.beta1)}, ${py(o.beta2)}), eps=${py(o.epsilon)}, weight_decay=${py(o.weightDecay ?? 0)})`;
    case 'rmsprop':
      return `torch.optim.RMSprop(model.parameters(), lr=${py(o.learningRate)}, alpha=${py(o.alpha)}, eps=${py(o.epsilon)}, momentum=${py(o.momentum ?? 0)})`;
  }
}

function schedulerLine(s: ScheduleConfig): string {
  switch (s.kind) {
    case 'constant':
      return 'None';
    case 'step':
      return s.everySteps
        ? `torch.optim.lr_scheduler.StepLR(optimizer, step_size=${s.everySteps}, gamma=${py(s.gamma)})`
        : `torch.optim.lr_scheduler.StepLR(optimizer, step_size=${s.everyEpochs ?? 1} * steps_per_epoch, gamma=${py(s.gamma)})`;
    case 'oneCycle':
      return `torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=${py(s.maxLearningRate)}, total_steps=EPOCHS * steps_per_epoch, pct_start=${py(s.pctStart)}, div_factor=${py(s.divFactor)}, final_div_factor=${py(s.finalDivFactor)}, anneal_strategy="cos", three_phase=False)`;
  }
}

/** The parameter count our engine reports, written into the script so it can check itself. */
export function exportedParameterCount(model: ModelSpec): number {
  return inferModel(model).totals.params;
}

/** The Python source of a runnable training script for this experiment. */
export function exportPyTorchScript(o: ExportOptions): string {
  const analysis = inferModel(o.model);
  if (!analysis.totals.ok)
    throw new Error(`The model has a problem, so it cannot be exported: ${analysis.totals.firstError?.message}`);
  const last = o.model.layers.length - 1;
  const modules = o.model.layers
    .map((l, i) => moduleFor(l, analysis.layers[i].inputShape!, i === last, o.model.loss))
    .filter((m): m is string => m !== null);
  const isImage = o.model.input.length === 3;
  const shapes = analysis.layers.map(
    (l) =>
      `    # ${l.index + 1}. ${l.layer.kind}: ${JSON.stringify(l.inputShape)} -> ${JSON.stringify(l.outputShape)}, ${l.params} parameters`,
  );
  const init = o.init ?? 'auto';
  // Per parametrised layer, in order: 'he' (kaiming normal, fan_in) or 'glorot', mirroring init.ts.
  const initKinds = o.model.layers
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.kind === 'dense' || l.kind === 'conv2d')
    .map(({ i }) => {
      if (init === 'he' || init === 'glorot') return init;
      const next = followingActivation(o.model.layers, i);
      return next?.kind === 'relu' || next?.kind === 'leakyRelu' ? 'he' : 'glorot';
    });
  const lossLine = o.model.loss === 'softmaxCrossEntropy' ? 'nn.CrossEntropyLoss()' : 'nn.MSELoss()';
  const target = o.model.loss === 'mse' ? 'torch.nn.functional.one_hot(y, num_classes=OUTPUTS).float()' : 'y';
  return `#!/usr/bin/env python3
"""${(o.title ?? 'A GPU Learn experiment').replace(/"""/g, "'")}, exported from GPU Learn.

Trains the same network, with the same optimizer, learning-rate schedule, batch size, epochs and
seed as in the browser, on MNIST with PyTorch.

Run on one GPU (or the CPU):       python3 train.py
Run on several GPUs of one host:   torchrun --nproc_per_node=NUM_GPUS train.py
Quick self-check of the model:     python3 train.py --check
"""
import argparse
import os

import torch
import torch.nn as nn

SEED = ${o.seed}
BATCH_SIZE = ${o.batchSize}
EPOCHS = ${o.epochs}
TRAIN_SUBSET = ${o.trainSubset ?? 'None'}
INPUT_SHAPE = (${o.model.input.join(', ')}${o.model.input.length === 1 ? ',' : ''})
OUTPUTS = ${(analysis.outputShape ?? [1]).reduce((a, b) => a * b, 1)}
EXPECTED_PARAMETERS = ${analysis.totals.params}  # as counted by GPU Learn
# Initial weights as in GPU Learn: "pytorch" keeps PyTorch's default; otherwise one entry per
# Conv2d/Linear: "he" = kaiming_normal_(fan_in, relu), "glorot" = xavier_uniform_; biases zero.
INIT = ${init === 'pytorch' ? 'None' : `[${initKinds.map((k) => `"${k}"`).join(', ')}]`}


def build_model() -> nn.Module:
${shapes.join('\n')}
    return nn.Sequential(
${modules.map((m) => `        ${m},`).join('\n')}
    )


def init_weights(model: nn.Module) -> None:
    if INIT is None:
        return
    layers = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for module, kind in zip(layers, INIT):
        if kind == "he":
            nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
        else:
            nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def mnist_loaders(distributed: bool):
    from torchvision import datasets, transforms  # imported here so --check needs only torch

    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.MNIST("data", train=True, download=True, transform=tf)
    test = datasets.MNIST("data", train=False, download=True, transform=tf)
    if TRAIN_SUBSET:
        train = torch.utils.data.Subset(train, range(TRAIN_SUBSET))
    sampler = torch.utils.data.distributed.DistributedSampler(train, seed=SEED) if distributed else None
    train_loader = torch.utils.data.DataLoader(train, batch_size=BATCH_SIZE, shuffle=sampler is None, sampler=sampler, drop_last=True, num_workers=2)
    test_loader = torch.utils.data.DataLoader(test, batch_size=1000)
    return train_loader, test_loader, sampler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="build the model, check its size and one forward pass, then exit")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    model = build_model()
    init_weights(model)
    count = sum(p.numel() for p in model.parameters())
    assert count == EXPECTED_PARAMETERS, f"parameter count {count} != {EXPECTED_PARAMETERS}"
    if args.check:
        out = model(torch.zeros(2, *INPUT_SHAPE))
        assert tuple(out.shape) == (2, OUTPUTS), out.shape
        print(f"model ok: {count} parameters, output {tuple(out.shape)}")
        return
${isImage ? '' : '    raise SystemExit("This model trains on a toy data set in GPU Learn; only --check applies here.")\n'}
    distributed = "LOCAL_RANK" in os.environ
    if distributed:
        torch.distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        rank = int(os.environ["LOCAL_RANK"])
        device = torch.device(f"cuda:{rank}" if torch.cuda.is_available() else "cpu")
        if device.type == "cuda":
            torch.cuda.set_device(device)
    else:
        rank = 0
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = model.to(device)
    if distributed:
        model = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    train_loader, test_loader, sampler = mnist_loaders(distributed)
    steps_per_epoch = len(train_loader)
    optimizer = ${optimizerLine(o.optimizer)}
    scheduler = ${schedulerLine(o.schedule)}
    loss_fn = ${lossLine}
    for epoch in range(EPOCHS):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(x), ${target})
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += (model(x.to(device)).argmax(1).cpu() == y).sum().item()
        if rank == 0:
            print(f"epoch {epoch + 1}: train loss {loss.item():.4f}, test accuracy {100 * correct / len(test_loader.dataset):.2f}%")
    if distributed:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
`;
}
