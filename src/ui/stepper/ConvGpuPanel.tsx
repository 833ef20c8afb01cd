import type { ConvInput } from '../../viz/parse';
import { convThreadFor } from '../../viz/gpuMapping';
import { conv2dGeometry } from '../../engine/ops/conv2d/cpu';
import { CONV2D_FORWARD } from '../../engine/ops/conv2d/specs';
import { GpuRunResult, runOnGpu, useGpuRun, type GpuRun } from './gpuCheck';
import { conv2dUniforms } from '../../engine/ops/conv2d/abi';
import { runConv2dCases, type Conv2dCall } from '../../engine/ops/conv2d/check';

/** The stepper's convolution as a conv2d_forward call: one image, one input and one output channel, no bias, no ReLU. */
function convCall(input: ConvInput): Conv2dCall {
  return {
    kind: 'forward',
    g: conv2dGeometry(1, [1, input.x.rows, input.x.cols], 1, input.k.rows, input.stride, input.pad),
    bias: false,
    relu: false,
  };
}

/** Runs the shipped kernels/conv2d_forward.wgsl on the typed input and kernel and compares it with the CPU reference. */
function runConvOnGpu(input: ConvInput): Promise<GpuRun> {
  const call = convCall(input);
  const out = call.g.outHeight * call.g.outWidth;
  const inputs = {
    x: Float32Array.from(input.x.data),
    w: Float32Array.from(input.k.data),
    bias: new Float32Array(1),
    dy: new Float32Array(out),
    y: new Float32Array(out),
    out0: new Float32Array(out),
    db0: new Float32Array(1),
  };
  return runOnGpu(call.g.outHeight, call.g.outWidth, async (runner) => {
    const forward = await runner.compile(CONV2D_FORWARD, { source: CONV2D_FORWARD.builtinSource });
    return runConv2dCases(runner, { forward }, [{ call, inputs }]);
  });
}

/** The GPU side of convolution: which thread of conv2d_forward computes an output pixel, and a real run. */
export function ConvGpuPanel({ input, cell }: { input: ConvInput; cell: number }) {
  const call = convCall(input);
  const { outHeight: OH, outWidth: OW } = call.g;
  const oy = Math.floor(cell / OW);
  const ox = cell % OW;
  const u = conv2dUniforms(call.g, call);
  const t = convThreadFor(CONV2D_FORWARD, u, { b: 0, oc: 0, oy, ox });
  const [wx, wy] = t.workgroupSize;
  const taps = input.k.rows * input.k.rows;
  const inputsKey = `${input.x.rows}x${input.x.cols}:${input.x.data.join(',')}|${input.k.data.join(',')}|${input.pad}|${input.stride}`;
  const [run, start] = useGpuRun(inputsKey);
  const groups = t.workgroups[0] * t.workgroups[1];

  return (
    <section className="card viz-gpu" aria-label="GPU view">
      <h2>On the GPU</h2>
      <p>
        The <code>{CONV2D_FORWARD.name}</code> kernel turns the convolution into a matrix multiplication without
        building the matrix (an &ldquo;implicit GEMM&rdquo;): each output position is a row, each filter a column, and
        each sum has inC·k·k = {taps} terms. Here that matrix is {t.matrix.M}×{t.matrix.N} ({OH}×{OW} = {t.matrix.M}{' '}
        positions, 1 filter). Workgroups have {wx}×{wy} threads; each covers {t.tile.positions} positions (along x) ×{' '}
        {t.tile.channels} filters (along y), and each thread keeps {t.perThread.positions}×{t.perThread.channels} of
        them in registers, so this output needs {t.workgroups[0]}×{t.workgroups[1]} workgroup{groups === 1 ? '' : 's'}
        {groups * wx * wy > OH * OW ? ' (most threads have nothing to do on an image this small)' : ''}.
      </p>
      <p data-testid="gpu-thread">
        <strong>
          out[{oy},{ox}]
        </strong>{' '}
        is computed by workgroup{' '}
        <code>
          ({t.workgroup.x}, {t.workgroup.y})
        </code>
        , thread{' '}
        <code>
          local_invocation_id = ({t.local.x}, {t.local.y})
        </code>
        , in its register <code>acc[{t.register.index}]</code>.{' '}
        <span className="muted">Click an output cell to pick another one.</span>
      </p>
      <p className="viz-gpu-why" data-testid="gpu-thread-why">
        Why: output position p = (b·outH + oy)·outW + ox = (0·{OH} + {oy})·{OW} + {ox} = {t.position} is row{' '}
        {t.position} of the implicit matrix, and the filter oc = 0 is its column. Along x, workgroup x = floor(p /{' '}
        {t.tile.positions}) = {t.workgroup.x}, local x = p mod {wx} = {t.local.x}, and register row r = floor((p mod{' '}
        {t.tile.positions}) / {wx}) = {t.register.r}. Along y, workgroup y = floor(oc / {t.tile.channels}) ={' '}
        {t.workgroup.y}, local y = oc mod {wy} = {t.local.y}, and register column c = floor((oc mod {t.tile.channels}) /{' '}
        {wy}) = {t.register.c}. So the value lives in acc[r·{t.perThread.channels} + c] = acc[{t.register.index}].
      </p>
      <p className="muted">
        &ldquo;Run on GPU&rdquo; runs the real kernel on your input and kernel (one image, one channel in and out, no
        bias, no ReLU) and compares it with the CPU.
      </p>
      <GpuRunResult run={run} onRun={() => start(() => runConvOnGpu(input))} outputName="The output" />
    </section>
  );
}
