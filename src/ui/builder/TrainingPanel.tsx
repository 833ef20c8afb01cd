import { BOUNDS, type TrainingConfig } from '../../config';
import { OPTIMIZER_DEFAULTS, type OptimizerConfig, type OptimizerKind } from '../../engine/ops/optimizer/cpu';
import { SCHEDULE_DEFAULTS, type ScheduleConfig, type ScheduleKind } from '../../engine/schedules';
import { appStore } from '../../state/store';
import type { ControlAccess } from './classroom';
import { NumberField } from './NumberField';

const OPTIMIZER_NAMES: Record<OptimizerKind, string> = {
  sgd: 'SGD (with momentum)',
  adam: 'Adam',
  rmsprop: 'RMSprop',
};

const SCHEDULE_NAMES: Record<ScheduleKind, string> = {
  constant: 'Constant',
  step: 'Step decay',
  oneCycle: 'One-cycle (warm up, then cool down)',
};

const OPTIMIZER_HELP: Record<OptimizerKind, string> = {
  sgd: 'Moves every weight a small step against its gradient; momentum keeps some of the previous step.',
  adam: 'Gives every weight its own step size from running averages of its gradients. A good default.',
  rmsprop: 'Divides each step by a running average of recent gradient sizes.',
};

/** Optimizer, learning rate, schedule, batch size, epochs, seed and training subset. */
export function TrainingPanel({ training, access }: { training: TrainingConfig; access: ControlAccess }) {
  const a = appStore.getState();
  const opt = training.optimizer;
  const setOpt = (patch: Record<string, number | boolean>, key: string) =>
    a.setOptimizer({ ...opt, ...patch } as OptimizerConfig, key);
  const sched = training.schedule;
  const setSched = (patch: Record<string, number>, key: string) =>
    a.setSchedule({ ...sched, ...patch } as ScheduleConfig, key);
  const show = (id: Parameters<ControlAccess['hidden']>[0]) => !access.hidden(id);

  return (
    <section className="card bf-panel" aria-labelledby="bf-training-title" data-testid="training-panel">
      <h2 id="bf-training-title">How to train it</h2>
      {show('optimizer') && (
        <fieldset className="bf-group" disabled={access.locked('optimizer')}>
          <legend>Optimizer</legend>
          <label className="bf-field">
            <span className="bf-field-label">Method</span>
            <select
              value={opt.kind}
              data-testid="hp-optimizer"
              onChange={(e) => {
                const kind = e.target.value as OptimizerKind;
                a.setOptimizer({ ...OPTIMIZER_DEFAULTS[kind], learningRate: opt.learningRate });
              }}
            >
              {(Object.keys(OPTIMIZER_NAMES) as OptimizerKind[]).map((k) => (
                <option key={k} value={k}>
                  {OPTIMIZER_NAMES[k]}
                </option>
              ))}
            </select>
          </label>
          <p className="bf-small muted">{OPTIMIZER_HELP[opt.kind]}</p>
          <div className="bf-fields">
            {opt.kind === 'sgd' && (
              <>
                <NumberField
                  label="Momentum"
                  value={opt.momentum}
                  bound={BOUNDS.momentum}
                  testId="hp-momentum"
                  onChange={(v) => setOpt({ momentum: v }, 'momentum')}
                />
                <NumberField
                  label="Weight decay"
                  value={opt.weightDecay ?? 0}
                  bound={BOUNDS.weightDecay}
                  testId="hp-weight-decay"
                  onChange={(v) => setOpt({ weightDecay: v }, 'weightDecay')}
                />
                <label className="bf-check">
                  <input
                    type="checkbox"
                    checked={opt.nesterov ?? false}
                    data-testid="hp-nesterov"
                    onChange={(e) => setOpt({ nesterov: e.target.checked }, 'nesterov')}
                  />
                  Nesterov momentum
                </label>
              </>
            )}
            {opt.kind === 'adam' && (
              <>
                <NumberField
                  label="Beta 1"
                  value={opt.beta1}
                  bound={BOUNDS.beta1}
                  testId="hp-beta1"
                  onChange={(v) => setOpt({ beta1: v }, 'beta1')}
                />
                <NumberField
                  label="Beta 2"
                  value={opt.beta2}
                  bound={BOUNDS.beta2}
                  testId="hp-beta2"
                  onChange={(v) => setOpt({ beta2: v }, 'beta2')}
                />
                <NumberField
                  label="Epsilon"
                  value={opt.epsilon}
                  bound={BOUNDS.epsilon}
                  testId="hp-epsilon"
                  onChange={(v) => setOpt({ epsilon: v }, 'epsilon')}
                />
                <NumberField
                  label="Weight decay"
                  value={opt.weightDecay ?? 0}
                  bound={BOUNDS.weightDecay}
                  testId="hp-weight-decay"
                  onChange={(v) => setOpt({ weightDecay: v }, 'weightDecay')}
                />
              </>
            )}
            {opt.kind === 'rmsprop' && (
              <>
                <NumberField
                  label="Smoothing"
                  value={opt.alpha}
                  bound={BOUNDS.rmsAlpha}
                  testId="hp-alpha"
                  onChange={(v) => setOpt({ alpha: v }, 'alpha')}
                />
                <NumberField
                  label="Epsilon"
                  value={opt.epsilon}
                  bound={BOUNDS.epsilon}
                  testId="hp-epsilon"
                  onChange={(v) => setOpt({ epsilon: v }, 'epsilon')}
                />
                <NumberField
                  label="Momentum"
                  value={opt.momentum ?? 0}
                  bound={BOUNDS.momentum}
                  testId="hp-momentum"
                  onChange={(v) => setOpt({ momentum: v }, 'momentum')}
                />
              </>
            )}
          </div>
        </fieldset>
      )}
      {(show('learningRate') || show('schedule')) && (
        <fieldset className="bf-group">
          <legend>Learning rate</legend>
          <div className="bf-fields">
            {show('learningRate') && (
              <NumberField
                label="Learning rate"
                value={opt.learningRate}
                bound={BOUNDS.learningRate}
                testId="hp-learning-rate"
                disabled={access.locked('learningRate')}
                hint="How big each step is. Too big and training jumps around."
                onChange={(v) => setOpt({ learningRate: v }, 'learningRate')}
              />
            )}
            {show('schedule') && (
              <label className="bf-field">
                <span className="bf-field-label">Schedule</span>
                <select
                  value={sched.kind}
                  data-testid="hp-schedule"
                  disabled={access.locked('schedule')}
                  onChange={(e) =>
                    a.setSchedule({ ...SCHEDULE_DEFAULTS[e.target.value as ScheduleKind] } as ScheduleConfig)
                  }
                >
                  {(Object.keys(SCHEDULE_NAMES) as ScheduleKind[]).map((k) => (
                    <option key={k} value={k}>
                      {SCHEDULE_NAMES[k]}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {show('schedule') && <ScheduleFields schedule={sched} locked={access.locked('schedule')} set={setSched} />}
          </div>
        </fieldset>
      )}
      <fieldset className="bf-group">
        <legend>Data and repetitions</legend>
        <div className="bf-fields">
          {show('batchSize') && (
            <NumberField
              label="Batch size"
              value={training.batchSize}
              bound={BOUNDS.batchSize}
              testId="hp-batch-size"
              disabled={access.locked('batchSize')}
              hint="Images per step."
              onChange={(v) => a.setTrainingConfig({ batchSize: v }, 'batchSize')}
            />
          )}
          {show('epochs') && (
            <NumberField
              label="Epochs"
              value={training.epochs}
              bound={BOUNDS.epochs}
              testId="hp-epochs"
              disabled={access.locked('epochs')}
              hint="Passes over the training set."
              onChange={(v) => a.setTrainingConfig({ epochs: v }, 'epochs')}
            />
          )}
          {show('seed') && (
            <div className="bf-seed">
              <NumberField
                label="Random seed"
                value={training.seed}
                bound={BOUNDS.seed}
                testId="hp-seed"
                disabled={access.locked('seed')}
                hint={
                  access.locked('seed')
                    ? 'Fixed by this link, so everyone gets the same run.'
                    : 'Same seed, same starting weights.'
                }
                onChange={(v) => a.setTrainingConfig({ seed: v }, 'seed')}
              />
              <button
                type="button"
                className="button small"
                disabled={access.locked('seed')}
                data-testid="hp-seed-random"
                onClick={() => a.setTrainingConfig({ seed: Math.floor(Math.random() * BOUNDS.seed.max) })}
              >
                New seed
              </button>
            </div>
          )}
          {show('trainSubset') && (
            <div className="bf-subset">
              <label className="bf-check">
                <input
                  type="checkbox"
                  checked={training.trainSubset !== undefined}
                  disabled={access.locked('trainSubset')}
                  data-testid="hp-subset-on"
                  onChange={(e) => a.setTrainingConfig({ trainSubset: e.target.checked ? 6000 : undefined })}
                />
                Train on part of the data only
              </label>
              {training.trainSubset !== undefined && (
                <NumberField
                  label="Training images"
                  value={training.trainSubset}
                  bound={BOUNDS.trainSubset}
                  testId="hp-train-subset"
                  disabled={access.locked('trainSubset')}
                  onChange={(v) => a.setTrainingConfig({ trainSubset: v }, 'trainSubset')}
                />
              )}
            </div>
          )}
        </div>
      </fieldset>
    </section>
  );
}

function ScheduleFields({
  schedule,
  locked,
  set,
}: {
  schedule: ScheduleConfig;
  locked: boolean;
  set: (p: Record<string, number>, key: string) => void;
}) {
  if (schedule.kind === 'step') {
    const bySteps = schedule.everySteps !== undefined;
    return (
      <>
        <NumberField
          label="Multiply by"
          value={schedule.gamma}
          bound={BOUNDS.gamma}
          testId="hp-gamma"
          disabled={locked}
          onChange={(v) => set({ gamma: v }, 'gamma')}
        />
        {bySteps ? (
          <NumberField
            label="Every N steps"
            value={schedule.everySteps!}
            bound={BOUNDS.everySteps}
            testId="hp-every-steps"
            disabled={locked}
            onChange={(v) => set({ everySteps: v }, 'everySteps')}
          />
        ) : (
          <NumberField
            label="Every N epochs"
            value={schedule.everyEpochs ?? 1}
            bound={BOUNDS.everyEpochs}
            testId="hp-every-epochs"
            disabled={locked}
            onChange={(v) => set({ everyEpochs: v }, 'everyEpochs')}
          />
        )}
      </>
    );
  }
  if (schedule.kind === 'oneCycle') {
    return (
      <>
        <NumberField
          label="Peak learning rate"
          value={schedule.maxLearningRate}
          bound={BOUNDS.maxLearningRate}
          testId="hp-max-lr"
          disabled={locked}
          onChange={(v) => set({ maxLearningRate: v }, 'maxLearningRate')}
        />
        <NumberField
          label="Warm-up share"
          value={schedule.pctStart}
          bound={BOUNDS.pctStart}
          testId="hp-pct-start"
          disabled={locked}
          onChange={(v) => set({ pctStart: v }, 'pctStart')}
        />
        <NumberField
          label="Start divisor"
          value={schedule.divFactor}
          bound={BOUNDS.divFactor}
          testId="hp-div-factor"
          disabled={locked}
          onChange={(v) => set({ divFactor: v }, 'divFactor')}
        />
        <NumberField
          label="Final divisor"
          value={schedule.finalDivFactor}
          bound={BOUNDS.finalDivFactor}
          testId="hp-final-div-factor"
          disabled={locked}
          onChange={(v) => set({ finalDivFactor: v }, 'finalDivFactor')}
        />
      </>
    );
  }
  return null;
}
