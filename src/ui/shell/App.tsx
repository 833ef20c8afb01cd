import { Suspense, useEffect } from 'react';
import { useHashRoute } from '../router';
import { NavBar } from './NavBar';
import { WebGpuStatus } from './WebGpuStatus';
import { OfflineStatus } from './OfflineStatus';
import './classroom-ready.css';
import { ErrorBoundary } from './ErrorBoundary';
import { bootGpu } from '../gpuBoot';
import { trainerClient } from '../../state/trainingBridge';
import { pageFor } from './routes';
import { useAppState } from '../../state/store';

/** What computes the numbers: only claims the GPU when there is one. */
function FooterLine() {
  const gpuKind = useAppState((s) => s.gpu.kind);
  if (gpuKind === 'unavailable')
    return (
      <>
        Without WebGPU, training runs in plain JavaScript on the CPU; the same WGSL kernels run wherever a browser has
        WebGPU.
      </>
    );
  return <>Every number here is computed by WGSL compute shaders on your GPU, checked against a CPU reference.</>;
}

/** The application frame: header with navigation, the WebGPU banner, and the routed page. */
export function App() {
  const route = useHashRoute();
  useEffect(() => {
    void bootGpu();
    trainerClient();
  }, []);
  const page = pageFor(route.name);
  useEffect(() => {
    document.title = `${page.title} — GPU Learn`;
  }, [page.title]);
  const Page = page.component;
  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <NavBar current={page.name} />
      <WebGpuStatus />
      <main id="main" tabIndex={-1} className="page">
        {/* A broken page shows its error here; navigation and the rest of the app keep working. */}
        <ErrorBoundary key={page.name} route={page.name}>
          <Suspense
            fallback={
              <p className="muted" role="status">
                Loading…
              </p>
            }
          >
            <Page route={route} />
          </Suspense>
        </ErrorBoundary>
      </main>
      <footer className="footer">
        <FooterLine />
        <OfflineStatus />
      </footer>
    </div>
  );
}
