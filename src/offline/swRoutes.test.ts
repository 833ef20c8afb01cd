import { describe, expect, it } from 'vitest';
import { cacheable, precacheName, routeFor, scopedPath, staleCaches, type OfflineManifest } from './swRoutes';

const manifest: OfflineManifest = {
  version: 'abc',
  precache: ['index.html', 'assets/index-1.js', 'assets/index-2.css', 'favicon.svg', 'data/mnist/manifest.json'],
  data: ['data/mnist/train-images.idx3.gz', 'data/mnist/test-images.idx3.gz'],
};

describe('the service worker routes', () => {
  const scope = new URL('https://school.example/courses/gpu/');
  const route = (path: string, mode = 'cors') => routeFor(new URL(path, scope), scope, mode, manifest);

  it('answers page loads of the app folder from the precached index.html, from any sub-folder', () => {
    expect(route('', 'navigate')).toBe('navigate');
    expect(route('index.html?x=1', 'navigate')).toBe('navigate');
    expect(route('other.html', 'navigate')).toBe('network');
  });

  it('serves precached chunks from the precache and other built chunks (Monaco) lazily', () => {
    expect(route('assets/index-1.js')).toBe('precache');
    expect(route('favicon.svg')).toBe('precache');
    expect(route('assets/monaco-9.js')).toBe('lazy');
  });

  it('caches the MNIST files on first use and never touches sw.js or other origins', () => {
    expect(route('data/mnist/train-images.idx3.gz')).toBe('data');
    expect(route('data/mnist/manifest.json')).toBe('precache');
    expect(route('sw.js')).toBe('network');
    expect(routeFor(new URL('https://cdn.example/courses/gpu/assets/x.js'), scope, 'cors', manifest)).toBe('network');
    expect(routeFor(new URL('https://school.example/other/assets/x.js'), scope, 'cors', manifest)).toBe('network');
  });

  it('gives paths relative to the scope', () => {
    expect(scopedPath(new URL('https://school.example/courses/gpu/assets/a%20b.js'), scope)).toBe('assets/a b.js');
    expect(scopedPath(new URL('https://school.example/x'), scope)).toBeNull();
  });

  it('deletes only older precaches when a new version activates', () => {
    const names = [precacheName('old'), precacheName('abc'), 'gpu-learn-lazy', 'gpu-learn-mnist', 'someone-else'];
    expect(staleCaches(names, 'abc')).toEqual([precacheName('old')]);
  });

  it('stores only complete successful same-origin responses', () => {
    expect(cacheable({ ok: true, status: 200, type: 'basic' })).toBe(true);
    expect(cacheable({ ok: true, status: 206, type: 'basic' })).toBe(false);
    expect(cacheable({ ok: false, status: 404, type: 'basic' })).toBe(false);
    expect(cacheable({ ok: false, status: 0, type: 'opaque' })).toBe(false);
  });
});
