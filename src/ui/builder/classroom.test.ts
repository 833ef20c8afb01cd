import { describe, expect, it } from 'vitest';
import { controlAccess } from './classroom';

describe('controlAccess', () => {
  it('hides and locks exactly the listed controls', () => {
    const access = controlAccess({ hide: ['diagram'], lock: ['layers'] });
    expect(access.hidden('diagram')).toBe(true);
    expect(access.hidden('layers')).toBe(false);
    expect(access.locked('layers')).toBe(true);
    expect(access.locked('seed')).toBe(false);
  });

  it('locks the seed when the link fixes it', () => {
    expect(controlAccess({ lockSeed: true }).locked('seed')).toBe(true);
  });

  it('allows everything without classroom options', () => {
    const access = controlAccess(undefined);
    expect(access.hidden('share') || access.locked('share')).toBe(false);
  });
});
