import type { KernelSpec } from '../../engine/kernel/spec';

const ACCESS_TEXT = { read: 'read only', read_write: 'read and write', uniform: 'uniform (small constants)' } as const;

/** What a kernel is for and how it is wired: bindings, uniforms, overrides and its CPU twin. */
export function KernelInfo({ spec }: { spec: KernelSpec }) {
  const [x, y, z] = spec.workgroupSize(spec.overrides);
  return (
    <section className="card kernel-info" aria-labelledby="kernel-info-title" data-testid="kernel-info">
      <h2 id="kernel-info-title">
        <code>{spec.name}</code>
      </h2>
      <p>{spec.description}</p>
      <p className="muted">
        File <code>kernels/{spec.file}</code> · checked against the CPU{' '}
        {spec.cpuTwins.length === 1 ? 'function' : 'functions'}{' '}
        {spec.cpuTwins.map((t, i) => (
          <span key={t.name}>
            {i > 0 && ' + '}
            <code>{t.name}</code> (<code>src/engine/{t.file}</code>)
          </span>
        ))}{' '}
        · {x * y * z} threads per workgroup ({x}×{y}×{z})
        {spec.stepper && (
          <>
            {' '}
            ·{' '}
            <a href={`#/${spec.stepper}`} data-testid="kernel-stepper-link">
              See this computation step by step
            </a>
          </>
        )}
      </p>
      <div className="table-scroll">
        <table className="data-table" data-testid="kernel-bindings">
          <caption className="sr-caption">Bindings</caption>
          <thead>
            <tr>
              <th>@binding</th>
              <th>Name</th>
              <th className="access-col">Access</th>
              <th>What it holds</th>
            </tr>
          </thead>
          <tbody>
            {spec.bindings.map((b) => (
              <tr key={b.binding}>
                <td className="num">{b.binding}</td>
                <td>
                  <span className="mono">{b.name}</span>
                  <span className="access-inline muted">{ACCESS_TEXT[b.access]}</span>
                </td>
                <td className="access-col">{ACCESS_TEXT[b.access]}</td>
                <td>
                  {b.description}
                  {b.optional ? ' (optional)' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className="kernel-facts">
        <dt>Uniforms</dt>
        <dd className="mono">
          {spec.uniforms.length ? spec.uniforms.map((u) => `${u.name}: ${u.type}`).join(', ') : 'none'}
        </dd>
        <dt>Overrides</dt>
        <dd className="mono">
          {Object.entries(spec.overrides)
            .map(([k, v]) => `${k} = ${v}`)
            .join(', ') || 'none'}
        </dd>
      </dl>
    </section>
  );
}
