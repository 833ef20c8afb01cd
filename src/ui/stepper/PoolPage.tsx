import { useCallback, useMemo, useState } from 'react';
import type { PageProps } from '../shell/routes';
import { DEFAULT_POOL, LIMITS, parsePoolQuery, poolQuery, slideOutSize } from '../../viz/parse';
import { poolSteps } from '../../viz/poolSteps';
import { useStepperInputs } from './useStepperInputs';
import { MatrixEditor } from './MatrixEditor';
import { Stepper } from './Stepper';
import { GradientEditor, ModeToggle, NumberSetting } from './parts';
import { StepperLayout } from './StepperLayout';

// Size and stride start empty so a link without them gets the parser's defaults (stride = size).
const DEFAULTS = { x: DEFAULT_POOL.x, size: '', stride: '', op: DEFAULT_POOL.op, mode: 'forward', g: '' };

/** `#/pool?x=ROWS&size=N&stride=S&op=max|avg`: pooling windows one at a time, forward or backward. */
export function PoolPage({ route }: PageProps) {
  const inputs = useStepperInputs({ route, defaults: DEFAULTS, parse: parsePoolQuery, toQuery: poolQuery });
  const { valid, draft, update } = inputs;
  const trace = useMemo(() => poolSteps(valid), [valid]);
  const OH = slideOutSize(valid.x.rows, valid.size, valid.stride, 0);
  const OW = slideOutSize(valid.x.cols, valid.size, valid.stride, 0);
  const [position, setPosition] = useState(0);
  const onPosition = useCallback((p: number) => setPosition(p), []);

  const summary = `x ${valid.x.rows}×${valid.x.cols}, window ${valid.size}×${valid.size}, stride ${valid.stride}`;

  return (
    <StepperLayout
      title="Pooling, step by step"
      route={route}
      inputs={inputs}
      summary={summary}
      position={position}
      intro={
        <p className="lede">
          Pooling shrinks an image by summarising each small window with one number: its largest value (max pooling) or
          its average. It has no weights to learn.
        </p>
      }
      choices={
        <>
          <div className="viz-choices">
            <ModeToggle mode={valid.mode} onChange={(mode) => update({ mode })} />
            <div className="viz-mode" role="group" aria-label="Operation">
              {(['max', 'avg'] as const).map((op) => (
                <button
                  key={op}
                  type="button"
                  className={`button${valid.op === op ? ' primary' : ''}`}
                  aria-pressed={valid.op === op}
                  data-testid={`op-${op}`}
                  onClick={() => update({ op })}
                >
                  {op === 'max' ? 'Max pooling' : 'Average pooling'}
                </button>
              ))}
            </div>
          </div>
        </>
      }
      editors={
        <>
          <div className="viz-editors">
            <MatrixEditor
              field="x"
              label="Input x"
              text={draft.x}
              onChange={(x) => update({ x })}
              maxRows={LIMITS.poolInput}
              maxCols={LIMITS.poolInput}
            />
            {valid.mode === 'backward' && (
              <GradientEditor
                label="Upstream gradient dy"
                text={draft.g}
                rows={OH}
                cols={OW}
                onChange={(g) => update({ g })}
              />
            )}
          </div>
          <div className="viz-settings">
            <NumberSetting
              inputs={inputs}
              field="size"
              label="Window size"
              min={1}
              max={LIMITS.poolInput}
              placeholder={valid.size}
            />
            <NumberSetting
              inputs={inputs}
              field="stride"
              label="Stride"
              min={1}
              max={LIMITS.poolInput}
              placeholder={valid.stride}
              hint="how far the window moves each time"
            />
          </div>
          <p className="muted">
            The input can be up to {LIMITS.poolInput}×{LIMITS.poolInput}. Pooling here uses no padding.
          </p>
        </>
      }
    >
      <Stepper key={`${valid.mode}-${valid.op}`} trace={trace} onPosition={onPosition} />
    </StepperLayout>
  );
}
