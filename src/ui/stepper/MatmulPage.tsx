import { useCallback, useMemo, useState } from 'react';
import type { PageProps } from '../shell/routes';
import { DEFAULT_MATMUL, LIMITS, matmulQuery, parseMatmulQuery } from '../../viz/parse';
import { matmulSteps } from '../../viz/matmulSteps';
import { useStepperInputs } from './useStepperInputs';
import { MatrixEditor } from './MatrixEditor';
import { Stepper } from './Stepper';
import { GradientEditor, ModeToggle } from './parts';
import { StepperLayout } from './StepperLayout';
import { GpuPanel } from './GpuPanel';
import { MatmulStagingPanel } from './StagingPanel';

const DEFAULTS = { a: DEFAULT_MATMUL.a, b: DEFAULT_MATMUL.b, mode: 'forward', g: '' };

/** `#/matmul?a=ROWS&b=ROWS`: C = A·B one multiply-add at a time, forward or backward. */
export function MatmulPage({ route }: PageProps) {
  const inputs = useStepperInputs({ route, defaults: DEFAULTS, parse: parseMatmulQuery, toQuery: matmulQuery });
  const { valid, draft, update } = inputs;
  const trace = useMemo(() => matmulSteps(valid), [valid]);
  const M = valid.a.rows;
  const N = valid.b.cols;
  const [picked, setPicked] = useState<number | null>(null);
  const [position, setPosition] = useState(0);
  const onPosition = useCallback((p: number) => setPosition(p), []);

  // The GPU view follows the cell being computed, unless the reader clicked one.
  const step = valid.mode === 'forward' && position > 0 ? trace.steps[position - 1] : null;
  const current = step?.marks.find((m) => m.grid === 'c' && m.kind === 'target')?.cells[0] ?? null;
  const cell = picked !== null && picked < M * N ? picked : (current ?? 0);

  const summary = `A ${M}×${valid.a.cols}, B ${valid.b.rows}×${N}${valid.mode === 'backward' ? ', dC' : ''}`;

  return (
    <StepperLayout
      title="Matrix multiplication, step by step"
      route={route}
      inputs={inputs}
      summary={summary}
      position={position}
      intro={
        <p className="lede">
          Each cell of C = A·B is a row of A times a column of B: multiply the pairs of numbers and add them up. A dense
          layer of a neural network does exactly this, with many more numbers.
        </p>
      }
      choices={
        <>
          <ModeToggle mode={valid.mode} onChange={(mode) => update({ mode })} />
        </>
      }
      editors={
        <>
          <div className="viz-editors">
            <MatrixEditor
              field="a"
              label="Matrix A"
              text={draft.a}
              onChange={(a) => update({ a })}
              maxRows={LIMITS.matmul}
              maxCols={LIMITS.matmul}
            />
            <MatrixEditor
              field="b"
              label="Matrix B"
              text={draft.b}
              onChange={(b) => update({ b })}
              maxRows={LIMITS.matmul}
              maxCols={LIMITS.matmul}
            />
            {valid.mode === 'backward' && (
              <GradientEditor
                label="Upstream gradient dC"
                text={draft.g}
                rows={M}
                cols={N}
                onChange={(g) => update({ g })}
              />
            )}
          </div>
          <p className="muted">
            A&apos;s number of columns must equal B&apos;s number of rows. Matrices can be up to {LIMITS.matmul}×
            {LIMITS.matmul}.
          </p>
        </>
      }
    >
      <Stepper
        key={valid.mode}
        trace={trace}
        onPosition={onPosition}
        pick={valid.mode === 'forward' ? { grid: 'c', picked, onPick: setPicked } : undefined}
      />
      {valid.mode === 'forward' && <GpuPanel a={valid.a} b={valid.b} cell={cell} />}
      {valid.mode === 'forward' && <MatmulStagingPanel a={valid.a} b={valid.b} cell={cell} />}
    </StepperLayout>
  );
}
