/**
 * Vite plugin: puts the Content-Security-Policy meta tag into the built index.html. The site is
 * static, so a meta tag is the one place for it. Production builds only: the dev server injects
 * inline scripts (React Fast Refresh) that this policy would block.
 */
import type { Plugin } from 'vite';

/**
 * Only the app's own origin for scripts, workers (the trainer and Monaco's editor worker), fonts,
 * data files and connections; no inline scripts, no plugins, no form posts.
 * style-src keeps 'unsafe-inline' because Monaco adds <style> elements at run time (its theme
 * colours and decorations); scripts stay strict.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

const CHARSET = '<meta charset="UTF-8" />';

/** index.html with the policy right after the charset tag, ahead of every script and style. */
export function withCsp(html: string): string {
  if (!html.includes(CHARSET)) throw new Error(`index.html has no ${CHARSET} to put the CSP after`);
  const meta = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`;
  return html.replace(CHARSET, `${CHARSET}\n    ${meta}`);
}

export function cspPlugin(): Plugin {
  return {
    name: 'gpu-learn-csp',
    apply: 'build',
    transformIndexHtml: { order: 'pre', handler: withCsp },
  };
}
