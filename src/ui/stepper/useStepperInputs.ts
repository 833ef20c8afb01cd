import { useEffect, useMemo, useState } from 'react';
import type { HashRoute } from '../router';
import type { Parsed, VizInputError } from '../../viz/parse';

/** The text of every input field, as typed (it may be invalid). */
export type Draft = Record<string, string>;

export interface StepperInputs<T> {
  draft: Draft;
  /** The last inputs that parsed: shown while the draft has an error. */
  valid: T;
  error: VizInputError | null;
  /** True when `valid` came from the page's example because the link was invalid. */
  showingExample: boolean;
  update: (patch: Draft) => void;
  /** Replaces the draft with the last inputs that worked (or the example), and the link with theirs. */
  reset: () => void;
}

interface Options<T> {
  route: HashRoute;
  /** Field names with their default text (used when the link leaves a field out). */
  defaults: Draft;
  parse: (params: URLSearchParams) => Parsed<T>;
  /** The canonical query of valid inputs (what the URL shows). */
  toQuery: (value: T) => string;
}

function draftFrom(params: URLSearchParams, defaults: Draft): Draft {
  const d: Draft = {};
  for (const [k, v] of Object.entries(defaults)) d[k] = params.get(k) ?? v;
  return d;
}

function paramsOf(draft: Draft): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(draft)) p.set(k, v);
  return p;
}

/**
 * Inputs of a stepper page: read from the link, edited in the page, parsed on every edit.
 * Valid edits are written back to the URL with replaceState, so the address can be shared.
 * An invalid edit keeps the last valid inputs on screen next to the error.
 */
export function useStepperInputs<T>({ route, defaults, parse, toQuery }: Options<T>): StepperInputs<T> {
  const [draft, setDraft] = useState<Draft>(() => draftFrom(route.params, defaults));
  const [seenQuery, setSeenQuery] = useState(route.query);
  const [touched, setTouched] = useState(false);
  const parsed = useMemo(() => parse(paramsOf(draft)), [draft, parse]);
  const fallback = useMemo(() => {
    const p = parse(paramsOf(defaults));
    if (!p.ok) throw new Error(`The example inputs are invalid: ${p.error.message}`);
    return p.value;
  }, [defaults, parse]);
  const [lastValid, setLastValid] = useState<T | null>(parsed.ok ? parsed.value : null);

  // A new link (navigation, back/forward) replaces the inputs; the query we wrote ourselves does not.
  if (route.query !== seenQuery) {
    setSeenQuery(route.query);
    const ours =
      (parsed.ok && toQuery(parsed.value) === route.query) ||
      (lastValid !== null && toQuery(lastValid) === route.query);
    if (!ours) {
      setDraft(draftFrom(route.params, defaults));
      setTouched(false);
    }
  }
  if (parsed.ok && parsed.value !== lastValid) setLastValid(parsed.value);

  const value = parsed.ok ? parsed.value : lastValid;
  const query = parsed.ok ? toQuery(parsed.value) : null;
  useEffect(() => {
    if (!touched || query === null) return;
    const hash = `#/${route.name}?${query}`;
    if (window.location.hash !== hash) window.history.replaceState(window.history.state, '', hash);
  }, [touched, query, route.name]);

  const update = (patch: Draft) => {
    setTouched(true);
    setDraft((d) => {
      const next = { ...d, ...patch };
      // A new input shape makes an edited upstream gradient the wrong shape: go back to ones.
      if (!('g' in patch) && next.g) {
        const p = parse(paramsOf(next));
        if (!p.ok && p.error.field === 'g' && p.error.code === 'shape-mismatch') next.g = '';
      }
      return next;
    });
  };

  const reset = () => {
    setTouched(true);
    setDraft(lastValid === null ? { ...defaults } : draftFrom(new URLSearchParams(toQuery(lastValid)), defaults));
  };

  return {
    draft,
    valid: value ?? fallback,
    error: parsed.ok ? null : parsed.error,
    showingExample: value === null,
    update,
    reset,
  };
}
