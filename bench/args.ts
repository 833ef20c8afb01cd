/** Command-line options of `npm run bench:train`. */
import { PRESET_NAMES, type PresetName } from '../src/engine/presets';
import type { DenseProduct } from '../src/engine/train/gpuTrainer';
import type { KernelOverrides } from '../src/engine/kernel/spec';

export interface BenchArgs {
  preset: PresetName;
  subset?: number;
  epochs?: number;
  batch?: number;
  seed?: number;
  json: boolean;
  vs: 'tfjs' | null;
  /** Epochs for the TF.js peer (default: the same as ours). */
  tfjsEpochs?: number;
  data?: string;
  testSubset?: number;
  /** Also write the JSON to this file. */
  out?: string;
  targetChunkMs?: number;
  maxStepsPerSubmit?: number;
  /** Stop training (cleanly, reporting the epochs done) after this many seconds of training. */
  maxSeconds?: number;
  /** JSON replacing the preset's optimizer and/or schedule, e.g. '{"schedule":{"kind":"constant"}}' (recipe experiments). */
  training?: { optimizer?: Record<string, unknown>; schedule?: Record<string, unknown>; init?: string; batch?: number };
  /** After training, time each layer's forward and backward pass alone (GPU timestamps) and report them. */
  layerCosts?: boolean;
  /** matmul's workgroup sizes for each kind of dense product instead of the trainer's choice (tile experiments). */
  denseTiles?: Partial<Record<DenseProduct, KernelOverrides>>;
}

export const USAGE =
  'usage: npm run bench:train -- --preset NAME [--subset N] [--epochs E] [--batch B] [--seed S] [--json]\n' +
  '         [--vs tfjs] [--tfjs-epochs E] [--data DIR] [--test-subset N] [--out FILE] [--chunk-ms MS] [--max-steps-per-submit N]\n' +
  '         [--max-seconds S] [--training \'{"optimizer":{...},"schedule":{...}}\'] [--layer-costs]\n' +
  '         [--dense-tiles forward=8x8,weightGrad=16x8,inputGrad=8x16]   (matmul WG_X x WG_Y per dense product)\n' +
  `  presets: ${PRESET_NAMES.filter((n) => n !== 'perceptron').join(', ')}`;

export class UsageError extends Error {}

/** "forward=8x8,inputGrad=16x8" → matmul overrides per dense product. */
function parseDenseTiles(v: string | undefined): Partial<Record<DenseProduct, KernelOverrides>> {
  const out: Partial<Record<DenseProduct, KernelOverrides>> = {};
  for (const part of (v ?? '').split(',')) {
    const m = /^(forward|weightGrad|inputGrad)=(\d+)x(\d+)$/.exec(part.trim());
    if (!m)
      throw new UsageError(
        `--dense-tiles takes PRODUCT=WG_XxWG_Y pairs (forward, weightGrad, inputGrad), got "${part}".`,
      );
    out[m[1] as DenseProduct] = { WG_X: Number(m[2]), WG_Y: Number(m[3]) };
  }
  return out;
}

export function parseArgs(argv: string[]): BenchArgs {
  const out: Partial<BenchArgs> = { json: false, vs: null };
  const int = (flag: string, v: string | undefined, min = 1): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min)
      throw new UsageError(`${flag} needs an integer ≥ ${min}, got ${v ?? 'nothing'}.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--preset': {
        const v = value();
        if (!PRESET_NAMES.includes(v as PresetName)) throw new UsageError(`Unknown preset "${v}".`);
        out.preset = v as PresetName;
        break;
      }
      case '--subset':
        out.subset = int(flag, value());
        break;
      case '--epochs':
        out.epochs = int(flag, value());
        break;
      case '--batch':
        out.batch = int(flag, value());
        break;
      case '--seed':
        out.seed = int(flag, value(), 0);
        break;
      case '--tfjs-epochs':
        out.tfjsEpochs = int(flag, value());
        break;
      case '--test-subset':
        out.testSubset = int(flag, value());
        break;
      case '--chunk-ms':
        out.targetChunkMs = int(flag, value());
        break;
      case '--max-steps-per-submit':
        out.maxStepsPerSubmit = int(flag, value());
        break;
      case '--max-seconds':
        out.maxSeconds = int(flag, value());
        break;
      case '--json':
        out.json = true;
        break;
      case '--layer-costs':
        out.layerCosts = true;
        break;
      case '--dense-tiles':
        out.denseTiles = parseDenseTiles(value());
        break;
      case '--training': {
        const v = value();
        try {
          out.training = JSON.parse(v ?? '');
        } catch {
          throw new UsageError(`--training needs JSON, got ${v}`);
        }
        break;
      }
      case '--data':
        out.data = value();
        break;
      case '--out':
        out.out = value();
        break;
      case '--vs': {
        const v = value();
        if (v !== 'tfjs') throw new UsageError(`--vs takes "tfjs", got "${v}".`);
        out.vs = 'tfjs';
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`Unknown option "${a}".`);
    }
  }
  if (!out.preset) throw new UsageError('--preset is required.');
  return out as BenchArgs;
}
