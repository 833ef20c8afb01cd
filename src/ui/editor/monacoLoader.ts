/** Loads the Monaco chunk once, on first use (a dynamic import keeps it out of the main bundle). */
type MonacoModule = typeof import('./monaco');

let loading: Promise<MonacoModule> | null = null;

export function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./monaco');
  loading.catch(() => (loading = null));
  return loading;
}
