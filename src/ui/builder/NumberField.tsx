import { useContext, useEffect, useId, useState } from 'react';
import { rangeText, type Bound } from '../../config';
import { FieldErrorsContext } from './fieldErrors';

/** True when `n` is a number the bound allows. */
export function fitsBound(n: number, b: Bound): boolean {
  if (!Number.isFinite(n) || n > b.max) return false;
  if (b.minExclusive ? n <= b.min : n < b.min) return false;
  return !b.int || Number.isInteger(n);
}

interface Props {
  label: string;
  value: number;
  bound: Bound;
  onChange: (value: number) => void;
  testId: string;
  disabled?: boolean;
  hint?: string;
  /** How the builder's status names this field ("layer 2's units"); defaults to "the <label>". */
  name?: string;
}

/**
 * A labelled number input that only passes on values within its bound. While the text is out of
 * range it says why next to the field; leaving the field puts back the last good value.
 */
export function NumberField({ label, value, bound, onChange, testId, disabled, hint, name }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const [seen, setSeen] = useState(value);
  // A value changed from outside (undo, a preset, a link) replaces what is typed.
  if (value !== seen) {
    setSeen(value);
    if (Number(text) !== value) setText(String(value));
  }
  const parsed = text.trim() === '' ? NaN : Number(text);
  const error = fitsBound(parsed, bound) ? null : `Must be ${rangeText(bound)}.`;
  const report = useContext(FieldErrorsContext);
  const who = name ?? `the ${label.toLowerCase()}`;
  const problem = error === null ? null : text.trim() === '' ? `${who} is empty` : `${who} must be ${rangeText(bound)}`;
  useEffect(() => {
    report(testId, problem);
    return () => report(testId, null);
  }, [report, testId, problem]);
  return (
    <label className="bf-field">
      <span className="bf-field-label">{label}</span>
      <input
        type="number"
        inputMode={bound.int ? 'numeric' : 'decimal'}
        // The browser's arrows step from `min`; a grid through 0 keeps 0.001 + a step at 0.0011, not 0.001001.
        min={bound.int ? bound.min : Math.floor(bound.min / bound.step) * bound.step}
        max={bound.max}
        step={bound.step}
        value={text}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-note` : undefined}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          const n = Number(e.target.value);
          if (e.target.value.trim() !== '' && fitsBound(n, bound)) onChange(n);
        }}
        onBlur={() => {
          if (error) setText(String(value));
        }}
      />
      {error ? (
        <span className="bf-field-error" id={`${id}-note`} data-testid={`${testId}-error`}>
          {error}
        </span>
      ) : hint ? (
        <span className="bf-field-hint" id={`${id}-note`}>
          {hint}
        </span>
      ) : null}
    </label>
  );
}
