import { describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '../../config';
import { controlAccess, countRestrictions, restrictionText } from './classroom';

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

describe('the lock notice count', () => {
  it('counts every real control once, however a link lists it', () => {
    const all = [...CONTROL_IDS];
    expect(countRestrictions({ hide: all, lock: all, lockSeed: true })).toEqual({ hidden: 13, locked: 0 });
    expect(CONTROL_IDS).toHaveLength(13);
    expect(countRestrictions({ lock: all, lockSeed: true })).toEqual({ hidden: 0, locked: 12 });
    expect(countRestrictions({ lock: ['seed'], lockSeed: true })).toEqual({ hidden: 0, locked: 1 });
    expect(countRestrictions({ lockSeed: true })).toEqual({ hidden: 0, locked: 1 });
    expect(countRestrictions({ hide: ['seed'], lockSeed: true })).toEqual({ hidden: 1, locked: 0 });
    expect(countRestrictions({ lock: ['diagram'] })).toEqual({ hidden: 0, locked: 0 });
    expect(countRestrictions(undefined)).toEqual({ hidden: 0, locked: 0 });
  });

  it('says it in a sentence', () => {
    expect(restrictionText({ hide: ['classroom', 'importExport'], lock: ['layers'], lockSeed: true })).toBe(
      '2 controls are hidden and 2 controls are locked',
    );
    expect(restrictionText({ lock: ['seed'] })).toBe('1 control is locked');
    expect(restrictionText({})).toBe('');
  });
});
