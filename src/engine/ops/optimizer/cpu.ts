/**
 * Optimizer update rules, written to match PyTorch's torch.optim.SGD, Adam and RMSprop (single-tensor
 * path, maximize=False, amsgrad=False, centered=False) and rounded like float32 hardware, so the GPU
 * optimizer kernel (which mirrors the formulas below line by line) agrees to about one ulp.
 *
 * Rounding model: every hyperparameter is rounded to f32 once (it travels to the GPU as an f32
 * uniform); every tensor operation rounds its result to f32 (Math.fround), in the order PyTorch's
 * documented formulas give. Step-dependent scalars (Adam's bias corrections) are computed in float64,
 * as PyTorch computes them with Python floats, and rounded to f32 once; see `optimizerScalars`.
 */

export interface SgdConfig {
  kind: 'sgd';
  learningRate: number;
  /** 0 = plain SGD (no state). Dampening is always 0, as in PyTorch's default. */
  momentum: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient (PyTorch's `weight_decay`), not decoupled. */
  weightDecay?: number;
}

export interface AdamConfig {
  kind: 'adam';
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2 penalty added to the gradient, like torch.optim.Adam (this is not AdamW). */
  weightDecay?: number;
}

export interface RmspropConfig {
  kind: 'rmsprop';
  learningRate: number;
  /** Smoothing constant of the squared-gradient average (PyTorch's `alpha`). */
  alpha: number;
  epsilon: number;
  momentum?: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig | RmspropConfig;
export type OptimizerKind = OptimizerConfig['kind'];

/** Defaults: PyTorch's for Adam and RMSprop; SGD uses the classic lr 0.01 with momentum 0.9. */
export const OPTIMIZER_DEFAULTS: { sgd: SgdConfig; adam: AdamConfig; rmsprop: RmspropConfig } = {
  sgd: { kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0 },
  adam: { kind: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
  rmsprop: { kind: 'rmsprop', learningRate: 0.01, alpha: 0.99, epsilon: 1e-8, momentum: 0 },
};

/** Number of state floats kept per parameter element (0, 1 or 2). */
export function optimizerStateSlots(config: OptimizerConfig): number {
  switch (config.kind) {
    case 'sgd':
      return config.momentum !== 0 ? 1 : 0;
    case 'adam':
      return 2;
    case 'rmsprop':
      return (config.momentum ?? 0) !== 0 ? 2 : 1;
  }
}

/**
 * Length of the state array for a parameter tensor of `paramCount` elements (slots × paramCount).
 * Layout is slot-major: slot k of element i lives at `state[k * paramCount + i]`
 * (SGD: [momentum buffer]; Adam: [exp_avg, exp_avg_sq]; RMSprop: [square_avg, momentum buffer?]).
 * A fresh state is all zeros, which reproduces PyTorch's first step exactly.
 */
export function optimizerStateSize(config: OptimizerConfig, paramCount: number): number {
  return optimizerStateSlots(config) * paramCount;
}

/** The f32 scalars one update step needs: exactly the uniforms the GPU optimizer kernel receives. */
export type OptimizerScalars =
  | { kind: 'sgd'; negLr: number; momentum: number; weightDecay: number; nesterov: boolean }
  | {
      kind: 'adam';
      weightDecay: number;
      /** lerp weight 1 - beta1, and 1 - weight as the other lerp branch needs it. */
      oneMinusBeta1: number;
      beta1: number;
      beta2: number;
      oneMinusBeta2: number;
      /** -lr / (1 - beta1^step), computed in float64 then rounded. */
      negStepSize: number;
      /** sqrt(1 - beta2^step), computed in float64 then rounded. */
      biasCorrection2Sqrt: number;
      epsilon: number;
    }
  | { kind: 'rmsprop'; negLr: number; alpha: number; oneMinusAlpha: number; epsilon: number; momentum: number };

const f32 = Math.fround;

/** The f32 scalars for `step` (1-based) at `learningRate` (the scheduled rate for this step). */
export function optimizerScalars(config: OptimizerConfig, step: number, learningRate: number): OptimizerScalars {
  switch (config.kind) {
    case 'sgd':
      return {
        kind: 'sgd',
        negLr: f32(-learningRate),
        momentum: f32(config.momentum),
        weightDecay: f32(config.weightDecay ?? 0),
        nesterov: config.nesterov ?? false,
      };
    case 'adam': {
      // PyTorch: bias_correction1 = 1 - beta1 ** step; step_size = lr / bias_correction1 (Python floats).
      const biasCorrection1 = 1 - config.beta1 ** step;
      const biasCorrection2 = 1 - config.beta2 ** step;
      return {
        kind: 'adam',
        weightDecay: f32(config.weightDecay ?? 0),
        oneMinusBeta1: f32(1 - config.beta1),
        beta1: f32(config.beta1),
        beta2: f32(config.beta2),
        oneMinusBeta2: f32(1 - config.beta2),
        negStepSize: f32(-(learningRate / biasCorrection1)),
        biasCorrection2Sqrt: f32(Math.sqrt(biasCorrection2)),
        epsilon: f32(config.epsilon),
      };
    }
    case 'rmsprop':
      return {
        kind: 'rmsprop',
        negLr: f32(-learningRate),
        alpha: f32(config.alpha),
        oneMinusAlpha: f32(1 - config.alpha),
        epsilon: f32(config.epsilon),
        momentum: f32(config.momentum ?? 0),
      };
  }
}

/**
 * One in-place update of `params` (and `state`) from `grads`, for 1-based `step` at the scheduled
 * `learningRate` (the config's own learningRate is the base rate the schedule started from).
 */
export function optimizerStep(
  config: OptimizerConfig,
  params: Float32Array,
  grads: Float32Array,
  state: Float32Array,
  step: number,
  learningRate: number,
): void {
  const n = params.length;
  if (grads.length !== n) throw new Error(`optimizerStep: ${grads.length} gradients for ${n} parameters`);
  const needed = optimizerStateSize(config, n);
  if (state.length !== needed) throw new Error(`optimizerStep: state has ${state.length} floats, needs ${needed}`);
  if (!Number.isInteger(step) || step < 1) throw new Error(`optimizerStep: step must be an integer >= 1, got ${step}`);
  const s = optimizerScalars(config, step, learningRate);
  switch (s.kind) {
    case 'sgd':
      return sgdUpdate(s, params, grads, state);
    case 'adam':
      return adamUpdate(s, params, grads, state);
    case 'rmsprop':
      return rmspropUpdate(s, params, grads, state);
  }
}

/**
 * torch.optim.SGD, per element (every line rounds to f32):
 *   g   = g + wd * p                       (only if wd != 0)
 *   buf = momentum * buf + g               (only if momentum != 0; buf starts at 0, so step 1 gives buf = g)
 *   g   = nesterov ? g + momentum * buf : buf
 *   p   = p + (-lr) * g
 */
function sgdUpdate(
  s: Extract<OptimizerScalars, { kind: 'sgd' }>,
  p: Float32Array,
  grads: Float32Array,
  buf: Float32Array,
): void {
  for (let i = 0; i < p.length; i++) {
    let g = grads[i];
    if (s.weightDecay !== 0) g = f32(g + f32(s.weightDecay * p[i]));
    if (s.momentum !== 0) {
      const b = f32(f32(s.momentum * buf[i]) + g);
      buf[i] = b;
      g = s.nesterov ? f32(g + f32(s.momentum * b)) : b;
    }
    p[i] = f32(p[i] + f32(s.negLr * g));
  }
}

/**
 * torch.optim.Adam, per element (every line rounds to f32; m = state[i], v = state[n + i]):
 *   g     = g + wd * p                                   (only if wd != 0)
 *   m     = lerp(m, g, 1 - beta1)  = w < 0.5 ? m + w * (g - m) : g - (g - m) * (1 - w),  w = 1 - beta1
 *   v     = beta2 * v + ((1 - beta2) * g) * g
 *   denom = sqrt(v) / biasCorrection2Sqrt + eps
 *   p     = p + negStepSize * (m / denom)                negStepSize = -lr / (1 - beta1^step)
 */
function adamUpdate(
  s: Extract<OptimizerScalars, { kind: 'adam' }>,
  p: Float32Array,
  grads: Float32Array,
  state: Float32Array,
): void {
  const n = p.length;
  const w = s.oneMinusBeta1;
  const oneMinusW = f32(1 - w);
  for (let i = 0; i < n; i++) {
    let g = grads[i];
    if (s.weightDecay !== 0) g = f32(g + f32(s.weightDecay * p[i]));
    const m0 = state[i];
    const diff = f32(g - m0);
    // torch.lerp picks the branch by |weight| < 0.5 for accuracy near both ends.
    const m = Math.abs(w) < 0.5 ? f32(m0 + f32(w * diff)) : f32(g - f32(diff * oneMinusW));
    const v = f32(f32(s.beta2 * state[n + i]) + f32(f32(s.oneMinusBeta2 * g) * g));
    state[i] = m;
    state[n + i] = v;
    const denom = f32(f32(f32(Math.sqrt(v)) / s.biasCorrection2Sqrt) + s.epsilon);
    p[i] = f32(p[i] + f32(s.negStepSize * f32(m / denom)));
  }
}

/**
 * torch.optim.RMSprop (centered=False), per element (every line rounds to f32; v = state[i], buf = state[n + i]):
 *   v   = alpha * v + ((1 - alpha) * g) * g
 *   avg = sqrt(v) + eps                       (eps outside the square root, as in PyTorch)
 *   momentum != 0:  buf = momentum * buf + g / avg;  p = p + (-lr) * buf
 *   momentum == 0:  p = p + (-lr) * (g / avg)
 */
function rmspropUpdate(
  s: Extract<OptimizerScalars, { kind: 'rmsprop' }>,
  p: Float32Array,
  grads: Float32Array,
  state: Float32Array,
): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const g = grads[i];
    const v = f32(f32(s.alpha * state[i]) + f32(f32(s.oneMinusAlpha * g) * g));
    state[i] = v;
    const avg = f32(f32(Math.sqrt(v)) + s.epsilon);
    if (s.momentum !== 0) {
      const b = f32(f32(s.momentum * state[n + i]) + f32(g / avg));
      state[n + i] = b;
      p[i] = f32(p[i] + f32(s.negLr * b));
    } else {
      p[i] = f32(p[i] + f32(s.negLr * f32(g / avg)));
    }
  }
}
