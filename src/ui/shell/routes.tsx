import { lazy, type ComponentType } from 'react';
import type { HashRoute } from '../router';
import { HomePage } from '../pages/HomePage';
import { PlaceholderPage } from '../pages/PlaceholderPage';

// Each view is its own chunk, loaded when first opened, so the first page load stays small
// (charts, the builder's forms and the steppers are only fetched when a student goes there).
const DataPage = lazy(() => import('../pages/DataPage').then((m) => ({ default: m.DataPage })));
const SelfTestPage = lazy(() => import('../pages/SelfTestPage').then((m) => ({ default: m.SelfTestPage })));
const TrainPage = lazy(() => import('../train/TrainPage').then((m) => ({ default: m.TrainPage })));
const MatmulPage = lazy(() => import('../stepper/MatmulPage').then((m) => ({ default: m.MatmulPage })));
const ConvPage = lazy(() => import('../stepper/ConvPage').then((m) => ({ default: m.ConvPage })));
const PoolPage = lazy(() => import('../stepper/PoolPage').then((m) => ({ default: m.PoolPage })));
const KernelEditorPage = lazy(() =>
  import('../editor/KernelEditorPage').then((m) => ({ default: m.KernelEditorPage })),
);
const BuilderPage = lazy(() => import('../builder/BuilderPage').then((m) => ({ default: m.BuilderPage })));
import { appStore } from '../../state/store';
import { startUrlSync } from '../../state/urlSync';
import { startPresenterMode } from './presenter';

// The one store subscription that keeps `#/build?c=…` and `#/train?c=…` in step with the model config.
startUrlSync(appStore);
startPresenterMode(presenterAsked());

/** Whether the opened link (`#/build?c=…`) and the config now in the store ask for presenter mode. */
function presenterAsked(): { linkAsksForIt: boolean; restoredConfigAsksForIt: boolean } {
  const state = appStore.getState();
  const asks = Boolean(state.config.classroom?.presenter);
  // The URL sync has applied the opened link by now (configLink: the route had one).
  const linkLoaded = state.configLink !== null && !state.configLoadError;
  return { linkAsksForIt: linkLoaded && asks, restoredConfigAsksForIt: asks };
}

export interface PageProps {
  route: HashRoute;
}

export interface RouteEntry {
  name: string;
  title: string;
  /** Shown in the navigation bar when set. */
  navLabel?: string;
  component: ComponentType<PageProps>;
}

function placeholder(title: string, blurb: string): ComponentType<PageProps> {
  return function Placeholder() {
    return <PlaceholderPage title={title} blurb={blurb} />;
  };
}

/** Every route of the app. Names are part of shared links (see CONTRACT.md): never rename them. */
export const ROUTES: RouteEntry[] = [
  { name: '', title: 'Home', component: HomePage },
  { name: 'build', title: 'Build a network', navLabel: 'Build', component: BuilderPage },
  { name: 'train', title: 'Train on MNIST', navLabel: 'Train', component: TrainPage },
  { name: 'matmul', title: 'Matrix multiplication, step by step', navLabel: 'Matmul', component: MatmulPage },
  { name: 'conv', title: 'Convolution, step by step', navLabel: 'Convolution', component: ConvPage },
  { name: 'pool', title: 'Pooling, step by step', navLabel: 'Pooling', component: PoolPage },
  { name: 'kernels', title: 'Kernel editor', navLabel: 'Kernels', component: KernelEditorPage },
  { name: 'data', title: 'The MNIST dataset', navLabel: 'Data', component: DataPage },
  { name: 'gpu-check', title: 'GPU check', navLabel: 'GPU check', component: SelfTestPage },
];

const NOT_FOUND: RouteEntry = {
  name: '404',
  title: 'Page not found',
  component: placeholder(
    'Page not found',
    'This link does not point to a page of the playground. Use the navigation above.',
  ),
};

/** The route entry for a hash route name (a "not found" page for unknown names). */
export function pageFor(name: string): RouteEntry {
  return ROUTES.find((r) => r.name === name) ?? NOT_FOUND;
}
