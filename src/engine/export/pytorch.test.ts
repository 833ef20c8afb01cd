import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPyTorchScript } from './pytorch';
import { PRESETS, PRESET_NAMES } from '../presets';
import { inferModel } from '../shapes';

const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;
const hasTorch = python !== null && spawnSync(python, ['-c', 'import torch']).status === 0;

function scriptFor(name: (typeof PRESET_NAMES)[number]): string {
  const p = PRESETS[name];
  return exportPyTorchScript({ model: p.model, ...p.training, title: p.title });
}

function writeTemp(source: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'export-')), 'train.py');
  writeFileSync(file, source);
  return file;
}

describe('Export as PyTorch', () => {
  it('writes the engine parameter count, batch size, epochs and seed into the script', () => {
    for (const name of PRESET_NAMES) {
      const src = scriptFor(name);
      const p = PRESETS[name];
      expect(src).toContain(`EXPECTED_PARAMETERS = ${inferModel(p.model).totals.params} `);
      expect(src).toContain(`BATCH_SIZE = ${p.training.batchSize}\n`);
      expect(src).toContain(`EPOCHS = ${p.training.epochs}\n`);
      expect(src).toContain(`SEED = ${p.training.seed}\n`);
    }
  });

  it('maps each layer to the PyTorch module with the same shape, folding the final softmax into the loss', () => {
    const src = scriptFor('pytorch-cnn');
    expect(src).toContain('nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)');
    expect(src).toContain('nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1)');
    expect(src).toContain('nn.Linear(12544, 128)');
    expect(src).toContain('nn.Linear(128, 10)');
    expect(src).toContain('torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9');
    expect(src).not.toContain('nn.Softmax');
    expect(src).toContain('nn.CrossEntropyLoss()');
    expect(scriptFor('fast-cnn')).toContain('OneCycleLR(optimizer, max_lr=');
  });

  it('refuses a model with a shape problem instead of writing a broken script', () => {
    expect(() =>
      exportPyTorchScript({
        model: {
          input: [1, 28, 28],
          layers: [{ kind: 'conv2d', filters: 4, kernel: 40, stride: 1, padding: 0 }],
          loss: 'softmaxCrossEntropy',
        },
        optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0 },
        schedule: { kind: 'constant' },
        batchSize: 8,
        epochs: 1,
        seed: 1,
      }),
    ).toThrow(/cannot be exported/);
  });

  it.skipIf(!python)(
    `produces valid Python for every preset (parsed by python3)${python ? '' : ' [skipped: no python3]'}`,
    () => {
      for (const name of PRESET_NAMES) {
        const file = writeTemp(scriptFor(name));
        execFileSync(python!, ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', file]);
      }
    },
  );

  it.skipIf(!hasTorch)(
    `builds in PyTorch with the same parameter count and output shape (--check)${hasTorch ? '' : ' [skipped: python3 here has no torch]'}`,
    () => {
      for (const name of PRESET_NAMES) {
        const out = execFileSync(python!, [writeTemp(scriptFor(name)), '--check']).toString();
        expect(out).toContain(`model ok: ${inferModel(PRESETS[name].model).totals.params} parameters`);
      }
    },
  );
});
