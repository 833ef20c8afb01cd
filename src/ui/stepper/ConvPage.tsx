import { useCallback, useMemo, useState } from 'react';
import type { PageProps } from '../shell/routes';
import { DEFAULT_CONV, LIMITS, convQuery, parseConvQuery, slideOutSize } from '../../viz/parse';
import { convSteps } from '../../viz/convSteps';
import { useStepperInputs } from './useStepperInputs';
import { MatrixEditor } from './MatrixEditor';
import { Stepper } from './Stepper';
import { GradientEditor, ModeToggle, NumberSetting } from './parts';
import { StepperLayout } from './StepperLayout';
import { ConvGpuPanel } from './ConvGpuPanel';
import { ConvStagingPanel } from './StagingPanel';

const DEFAULTS = {
  x: DEFAULT_CONV.x,
  k: DEFAULT_CONV.k,
  pad: DEFAULT_CONV.pad,
  stride: DEFAULT_CONV.stride,
  mode: 'forward',
  g: '',
};

/** `#/conv?x=ROWS&k=ROWS&pad=P&stride=S`: a kernel sliding over a zero-padded input, forward or backward. */
export function ConvPage({ route }: PageProps) {
  const inputs = useStepperInputs({ route, defaults: DEFAULTS, parse: parseConvQuery, toQuery: convQuery });
  const { valid, draft, update } = inputs;
  const trace = useMemo(() => convSteps(valid), [valid]);
  const OH = slideOutSize(valid.x.rows, valid.k.rows, valid.stride, valid.pad);
  const OW = slideOutSize(valid.x.cols, valid.k.rows, valid.stride, valid.pad);
  const [picked, setPicked] = useState<number | null>(null);
  const [position, setPosition] = useState(0);
  const onPosition = useCallback((p: number) => setPosition(p), []);

  // The GPU view follows the output pixel being computed, unless the reader clicked one.
  const forward = valid.mode === 'forward';
  const step = forward && position > 0 ? trace.steps[position - 1] : null;
  const current = step?.marks.find((m) => m.grid === 'out' && m.kind === 'target')?.cells[0] ?? null;
  const cell = picked !== null && picked < OH * OW ? picked : (current ?? 0);

  const summary = `x ${valid.x.rows}×${valid.x.cols}, kernel ${valid.k.rows}×${valid.k.rows}, padding ${valid.pad}, stride ${valid.stride}`;

  return (
    <StepperLayout
      title="Convolution, step by step"
      route={route}
      inputs={inputs}
      summary={summary}
      position={position}
      intro={
        <p className="lede">
          A small grid of weights, the kernel, slides over the image. At each position, multiply the numbers it covers
          by the kernel&apos;s numbers and add them up: that sum is one pixel of the output.{' '}
          <span data-testid="conv-convention">
            Like every deep-learning library, this page uses cross-correlation: the kernel is laid on the image as it
            is, without flipping it first.
          </span>
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
              field="x"
              label="Input x"
              text={draft.x}
              onChange={(x) => update({ x })}
              maxRows={LIMITS.convInput}
              maxCols={LIMITS.convInput}
            />
            <MatrixEditor
              field="k"
              label="Kernel k"
              text={draft.k}
              onChange={(k) => update({ k })}
              maxRows={LIMITS.convKernel}
              maxCols={LIMITS.convKernel}
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
              field="pad"
              label="Padding"
              min={0}
              max={LIMITS.maxPad}
              hint="rings of zeros around the input"
            />
            <NumberSetting
              inputs={inputs}
              field="stride"
              label="Stride"
              min={1}
              max={LIMITS.maxStride}
              hint="how far the kernel moves each time"
            />
          </div>
          <p className="muted">
            The input can be up to {LIMITS.convInput}×{LIMITS.convInput} and the kernel up to {LIMITS.convKernel}×
            {LIMITS.convKernel} (square).
          </p>
        </>
      }
    >
      <Stepper
        key={valid.mode}
        trace={trace}
        onPosition={onPosition}
        pick={forward ? { grid: 'out', picked, onPick: setPicked } : undefined}
      />
      {forward && <ConvGpuPanel input={valid} cell={cell} />}
      {forward && <ConvStagingPanel input={valid} cell={cell} />}
    </StepperLayout>
  );
}
