/**
 * Learning-rate schedules, matching torch.optim.lr_scheduler.StepLR and OneCycleLR
 * (anneal_strategy='cos', three_phase=False). `step` is the 0-based index of the optimizer step
 * about to run, which equals the scheduler's `last_epoch` in PyTorch when `scheduler.step()` is
 * called after every `optimizer.step()`.
 */

export type ScheduleConfig =
  | { kind: 'constant' }
  /** Multiply by `gamma` every `everySteps` optimizer steps, or else every `everyEpochs` epochs (default 1). */
  | { kind: 'step'; everySteps?: number; everyEpochs?: number; gamma: number }
  | { kind: 'oneCycle'; maxLearningRate: number; pctStart: number; divFactor: number; finalDivFactor: number };

export type ScheduleKind = ScheduleConfig['kind'];

/** Defaults: StepLR decays by 10× every epoch; OneCycleLR uses PyTorch's defaults. */
export const SCHEDULE_DEFAULTS = {
  constant: { kind: 'constant' },
  step: { kind: 'step', everyEpochs: 1, gamma: 0.1 },
  oneCycle: { kind: 'oneCycle', maxLearningRate: 0.01, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 },
} as const satisfies Record<ScheduleKind, ScheduleConfig>;

/**
 * The learning rate for 0-based optimizer step `step` of `totalSteps`. One-cycle ignores
 * `baseLearningRate`, as OneCycleLR does: it starts at maxLearningRate / divFactor.
 */
export function learningRateAt(
  schedule: ScheduleConfig,
  baseLearningRate: number,
  step: number,
  totalSteps: number,
  stepsPerEpoch: number,
): number {
  switch (schedule.kind) {
    case 'constant':
      return baseLearningRate;
    case 'step': {
      // StepLR's closed form: base_lr * gamma ** (last_epoch // step_size).
      const decays =
        schedule.everySteps !== undefined
          ? Math.floor(step / schedule.everySteps)
          : Math.floor(Math.floor(step / stepsPerEpoch) / (schedule.everyEpochs ?? 1));
      return baseLearningRate * schedule.gamma ** decays;
    }
    case 'oneCycle':
      return oneCycleAt(schedule, step, totalSteps);
  }
}

/**
 * OneCycleLR, two phases:
 *   phase 1, steps 0 .. pctStart·T − 1:        cosine from initial = max/div up to max
 *   phase 2, steps pctStart·T − 1 .. T − 1:    cosine from max down to min = initial/finalDiv
 * cos anneal(start, end, pct) = end + (start − end)/2 · (cos(π·pct) + 1); pct = (step − phaseStart)/(phaseEnd − phaseStart).
 * Two deliberate differences from PyTorch, which raises instead: a phase of zero length
 * (tiny totalSteps) yields its end value, and steps past T − 1 stay at the minimum.
 */
function oneCycleAt(s: Extract<ScheduleConfig, { kind: 'oneCycle' }>, step: number, totalSteps: number): number {
  const initial = s.maxLearningRate / s.divFactor;
  const minimum = initial / s.finalDivFactor;
  const phases = [
    { end: s.pctStart * totalSteps - 1, from: initial, to: s.maxLearningRate },
    { end: totalSteps - 1, from: s.maxLearningRate, to: minimum },
  ];
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i];
    if (step <= phase.end || i === phases.length - 1) {
      const span = phase.end - start;
      const pct = span > 0 ? Math.min(1, (step - start) / span) : 1;
      return cosineAnneal(phase.from, phase.to, pct);
    }
    start = phase.end;
  }
  return minimum; // unreachable: the last phase always returns
}

function cosineAnneal(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}
