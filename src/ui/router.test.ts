import { describe, expect, it } from 'vitest';
import { buildHash, parseHash } from './router';

describe('hash routes', () => {
  it('parses the route name and query of a contract link', () => {
    const r = parseHash('#/matmul?a=1,2;3,4&b=5;6');
    expect(r.name).toBe('matmul');
    expect(r.params.get('a')).toBe('1,2;3,4');
    expect(r.params.get('b')).toBe('5;6');
  });

  it('treats an empty or odd hash as the home route without throwing', () => {
    expect(parseHash('').name).toBe('');
    expect(parseHash('#').name).toBe('');
    expect(parseHash('#///').name).toBe('');
    expect(parseHash('#/build/extra?x=%E0%A4%A').name).toBe('build');
  });

  it('round-trips a route through buildHash', () => {
    const h = buildHash('pool', 'x=1,2;3,4&size=2&stride=2&op=max');
    const r = parseHash(h);
    expect(r.name).toBe('pool');
    expect(r.params.get('op')).toBe('max');
  });
});
