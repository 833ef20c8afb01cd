import type { KernelBenchResult } from '../../engine/kernel/bench';
import type { KernelCheckResult } from '../../engine/kernel/spec';

/** The test's verdict and the largest error per shape. */
export function TestResults({ result, ms, stale }: { result: KernelCheckResult; ms: number; stale: boolean }) {
  return (
    <section className="card" aria-live="polite" data-testid="kernel-test-result" data-pass={String(result.pass)}>
      <h3 className={result.pass ? 'ok-text' : 'bad-text'} data-testid="kernel-test-summary">
        {result.pass
          ? `Test passed: all ${result.cases.length} shapes match the CPU`
          : result.error?.startsWith('A loop in your kernel did not finish')
            ? 'Test failed: a loop in your kernel did not finish'
            : result.error
              ? 'Test failed: the kernel did not run'
              : `Test failed: ${result.cases.filter((c) => !c.pass).length} of ${result.cases.length} shapes disagree with the CPU`}
      </h3>
      {stale && (
        <p className="muted">You have changed the kernel since this test; test again before using it in training.</p>
      )}
      {result.error && (
        <p className="error-card" data-testid="kernel-test-error">
          {result.error}
        </p>
      )}
      {result.cases.length > 0 && (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th>Shape</th>
                <th>Largest error</th>
                <th>Relative</th>
                <th>Allowed</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {result.cases.map((c, i) => (
                <tr key={i}>
                  <td className="num">{c.shape}</td>
                  <td className="num">{fmt(c.maxAbsError)}</td>
                  <td className="num">{fmt(c.maxRelError)}</td>
                  <td className="num">{fmt(c.tolerance)}</td>
                  <td className={c.pass ? 'ok-text' : 'bad-text'}>
                    {c.pass ? 'match' : Number.isNaN(c.maxAbsError) ? 'NaN' : 'MISMATCH'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">Ran in {(ms / 1000).toFixed(1)} s on random inputs.</p>
    </section>
  );
}

/** Both timings side by side, and which is faster. */
export function BenchResults({ result }: { result: KernelBenchResult }) {
  const faster = result.ratio < 1;
  const factor = faster ? 1 / result.ratio : result.ratio;
  const verdict =
    Math.abs(result.ratio - 1) < 0.05
      ? 'About the same speed as the built-in kernel.'
      : `Yours is ${factor.toFixed(2)}× ${faster ? 'faster' : 'slower'} than the built-in kernel.`;
  const line = (t: { msPerCall: number; gflops?: number }) =>
    `${fmtMs(t.msPerCall)} per call${t.gflops ? ` (${t.gflops.toFixed(1)} GFLOP/s)` : ''}`;
  return (
    <section className="card" aria-live="polite" data-testid="kernel-bench-result">
      <h3>Benchmark on {result.shape}</h3>
      <dl className="kernel-facts">
        <dt>Built-in</dt>
        <dd data-testid="kernel-bench-builtin">{line(result.builtin)}</dd>
        <dt>Yours</dt>
        <dd data-testid="kernel-bench-edited">{line(result.edited)}</dd>
      </dl>
      <p className={faster ? 'ok-text' : ''}>{verdict}</p>
      <p className="muted">
        Median of {result.rounds} rounds of {result.callsPerRound} calls, timed{' '}
        {result.method === 'timestamp'
          ? 'by GPU timestamps'
          : 'by the clock until the GPU finished (this GPU has no timestamp queries)'}
        .
      </p>
    </section>
  );
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

function fmtMs(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}
