import { useEffect, useState } from 'react';
import { ROUTES } from './routes';
import { PresenterToggle } from './PresenterToggle';

/**
 * The top bar: product name, one link per main view and the presenter toggle. On narrow screens
 * the links fold behind a Menu button, so the header stays one row.
 */
export function NavBar({ current }: { current: string }) {
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    if (!menuOpen) return;
    const closeOnEscape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setMenuOpen(false);
    };
    window.addEventListener('keydown', closeOnEscape);
    return () => window.removeEventListener('keydown', closeOnEscape);
  }, [menuOpen]);
  return (
    <header className="topbar" data-menu={menuOpen ? 'open' : 'closed'}>
      <a className="brand" href="#/" aria-label="GPU Learn home" onClick={() => setMenuOpen(false)}>
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
      <div className="topbar-actions">
        <PresenterToggle />
        <button
          type="button"
          className="nav-menu-button"
          data-testid="nav-menu"
          aria-expanded={menuOpen}
          aria-controls="main-nav-links"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <svg className="nav-menu-icon" viewBox="0 0 24 24" aria-hidden="true">
            <path d={menuOpen ? 'M6 6l12 12M18 6 6 18' : 'M4 7h16M4 12h16M4 17h16'} />
          </svg>
          <span>Menu</span>
        </button>
      </div>
      <nav aria-label="Main" className="main-nav">
        <ul className="nav-links" id="main-nav-links">
          {ROUTES.filter((r) => r.navLabel).map((r) => (
            <li key={r.name}>
              <a
                href={`#/${r.name}`}
                aria-current={current === r.name ? 'page' : undefined}
                data-testid={`nav-${r.name}`}
                onClick={() => setMenuOpen(false)}
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
