import {
  CONTROL_IDS,
  FOCUS_SECTIONS,
  START_VIEWS,
  type ClassroomConfig,
  type ControlId,
  type FocusSection,
  type StartView,
  type ViewConfig,
} from '../../config';
import { appStore } from '../../state/store';
import { CONTROL_LABELS } from './classroom';

const VIEW_NAMES: Record<StartView, string> = { build: 'The builder', train: 'The training view' };
const FOCUS_NAMES: Record<FocusSection, string> = {
  diagram: 'The network diagram',
  layers: 'The list of layers',
  training: 'The training settings',
};

/** Options a teacher sets before sharing: fixed seed, hidden/locked controls, start view, presenter mode. */
export function ClassroomPanel({
  classroom,
  view,
  locked = false,
}: {
  classroom: ClassroomConfig | undefined;
  view: ViewConfig | undefined;
  locked?: boolean;
}) {
  const set = appStore.getState().setClassroom;
  const toggle = (list: 'hide' | 'lock', id: ControlId, on: boolean) => {
    const current = classroom?.[list] ?? [];
    set({ [list]: on ? [...current, id] : current.filter((x) => x !== id) });
  };
  return (
    <details className="card bf-panel bf-classroom" data-testid="classroom-panel">
      <summary>
        <h2>Classroom link options</h2>
      </summary>
      <p className="bf-small muted">
        These travel inside the share link, so every student who opens it gets the same setup.
      </p>
      <fieldset className="bf-plain-fieldset" disabled={locked}>
        <legend className="sr-only">Classroom options{locked ? ' (locked by this link)' : ''}</legend>
        <label className="bf-check">
          <input
            type="checkbox"
            checked={classroom?.lockSeed ?? false}
            data-testid="classroom-fix-seed"
            onChange={(e) => set({ lockSeed: e.target.checked })}
          />
          Fix the random seed (everyone gets the same run)
        </label>
        <label className="bf-check">
          <input
            type="checkbox"
            checked={classroom?.presenter ?? false}
            data-testid="classroom-presenter"
            onChange={(e) => set({ presenter: e.target.checked })}
          />
          Presenter mode: large type and high contrast for a projector
        </label>
        <label className="bf-field">
          <span className="bf-field-label">The link opens</span>
          <select
            value={classroom?.startView ?? 'build'}
            data-testid="classroom-start-view"
            onChange={(e) => set({ startView: e.target.value === 'build' ? undefined : (e.target.value as StartView) })}
          >
            {START_VIEWS.map((v) => (
              <option key={v} value={v}>
                {VIEW_NAMES[v]}
              </option>
            ))}
          </select>
        </label>
        <label className="bf-field">
          <span className="bf-field-label">Scrolled to</span>
          <select
            value={view?.focus ?? ''}
            data-testid="classroom-focus"
            onChange={(e) =>
              appStore
                .getState()
                .setViewConfig({ focus: e.target.value ? (e.target.value as FocusSection) : undefined })
            }
          >
            <option value="">The top of the page</option>
            {FOCUS_SECTIONS.map((f) => (
              <option key={f} value={f}>
                {FOCUS_NAMES[f]}
              </option>
            ))}
          </select>
        </label>
        <table className="bf-controls-table">
          <caption className="bf-small muted">Hide or lock controls for students</caption>
          <thead>
            <tr>
              <th scope="col">Control</th>
              <th scope="col">Hide</th>
              <th scope="col">Lock</th>
            </tr>
          </thead>
          <tbody>
            {CONTROL_IDS.map((id) => (
              <tr key={id}>
                <th scope="row">{CONTROL_LABELS[id]}</th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Hide ${CONTROL_LABELS[id]}`}
                    data-testid={`classroom-hide-${id}`}
                    checked={classroom?.hide?.includes(id) ?? false}
                    onChange={(e) => toggle('hide', id, e.target.checked)}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Lock ${CONTROL_LABELS[id]}`}
                    data-testid={`classroom-lock-${id}`}
                    checked={classroom?.lock?.includes(id) ?? false}
                    onChange={(e) => toggle('lock', id, e.target.checked)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
    </details>
  );
}
