import { ROUTES } from './routes';

/** The top bar: product name and one link per main view. */
export function NavBar({ current }: { current: string }) {
  return (
    <header className="topbar">
      <a className="brand" href="#/" aria-label="GPU Learn home">
        <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
          <rect width="32" height="32" rx="7" />
          <g className="brand-nodes">
            <circle cx="9" cy="10" r="3" />
            <circle cx="9" cy="22" r="3" />
            <circle cx="23" cy="16" r="3" />
          </g>
          <path className="brand-edges" d="M11.5 11.2 20.5 15M11.5 20.8 20.5 17" />
        </svg>
        <span>GPU Learn</span>
      </a>
      <nav aria-label="Main">
        <ul className="nav-links">
          {ROUTES.filter((r) => r.navLabel).map((r) => (
            <li key={r.name}>
              <a
                href={`#/${r.name}`}
                aria-current={current === r.name ? 'page' : undefined}
                data-testid={`nav-${r.name}`}
              >
                {r.navLabel}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}
