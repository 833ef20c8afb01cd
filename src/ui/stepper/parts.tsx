import type { Mode, VizInputError } from '../../viz/parse';
import type { StepperInputs } from './useStepperInputs';
import { MatrixEditor } from './MatrixEditor';

/** Forward / Backward toggle: two buttons, the pressed one is the mode shown. */
export function ModeToggle({ mode, onChange }: { mode: Mode; onChange: (m: Mode) => void }) {
  return (
    <div className="viz-mode" role="group" aria-label="Direction">
      {(['forward', 'backward'] as const).map((m) => (
        <button
          key={m}
          type="button"
          className={`button${mode === m ? ' primary' : ''}`}
          aria-pressed={mode === m}
          data-testid={`mode-${m}`}
          onClick={() => onChange(m)}
        >
          {m === 'forward' ? 'Forward' : 'Backward (gradients)'}
        </button>
      ))}
    </div>
  );
}

/**
 * The input error sentence, with a note that the last good inputs are still shown and a button
 * that puts them (or the example) back, so a bad link is never one that must be fixed by hand.
 */
export function VizError({
  error,
  showingExample,
  onReset,
}: {
  error: VizInputError | null;
  showingExample: boolean;
  onReset: () => void;
}) {
  if (!error) return null;
  return (
    <div className="error-card viz-error" role="alert" data-testid="viz-error">
      <p>{error.message}</p>
      <p className="viz-error-note">
        {showingExample
          ? 'Until this is fixed, the page shows its example instead.'
          : 'Until this is fixed, the page keeps showing the last inputs that worked.'}
      </p>
      <button type="button" className="button small" data-testid="viz-error-reset" onClick={onReset}>
        {showingExample ? 'Use the example' : 'Go back to the inputs that worked'}
      </button>
    </div>
  );
}

/** A small whole-number setting (padding, stride, window size) bound to a draft field. */
export function NumberSetting<T>(props: {
  inputs: StepperInputs<T>;
  field: string;
  label: string;
  min: number;
  max: number;
  hint?: string;
  placeholder?: number;
}) {
  const { inputs, field, label, min, max, hint, placeholder } = props;
  return (
    <label className="viz-setting">
      <span>{label}</span>
      <input
        type="number"
        min={min}
        max={max}
        step={1}
        value={inputs.draft[field]}
        placeholder={placeholder === undefined ? undefined : String(placeholder)}
        data-testid={`setting-${field}`}
        onChange={(e) => inputs.update({ [field]: e.target.value })}
      />
      {hint && <span className="muted viz-setting-hint">{hint}</span>}
    </label>
  );
}

/** "1,1;1,1" for a rows x cols matrix of ones: what an empty upstream gradient means. */
export function onesRows(rows: number, cols: number): string {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => '1').join(',')).join(';');
}

/** The upstream-gradient editor of backward mode: sized to the output, empty meaning all ones. */
export function GradientEditor(props: {
  label: string;
  text: string;
  rows: number;
  cols: number;
  onChange: (text: string) => void;
}) {
  const { label, text, rows, cols, onChange } = props;
  return (
    <MatrixEditor
      field="g"
      label={label}
      text={text}
      placeholderRows={onesRows(rows, cols)}
      onChange={onChange}
      maxRows={rows}
      maxCols={cols}
      resizable={false}
      extraButtons={
        <button type="button" className="button small" onClick={() => onChange('')}>
          All ones
        </button>
      }
    />
  );
}
