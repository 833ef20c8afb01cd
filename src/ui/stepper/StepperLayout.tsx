import { Component, useState, type ErrorInfo, type ReactNode } from 'react';
import type { HashRoute } from '../router';
import type { StepperInputs } from './useStepperInputs';
import { VizError } from './parts';

interface Props<T> {
  title: string;
  /** The page's introduction. */
  intro: ReactNode;
  /** Choices that stay visible beside the folded editors (direction, operation). */
  choices: ReactNode;
  inputs: StepperInputs<T>;
  /** What the folded editors hold, e.g. "A 2×3, B 3×2". */
  summary: string;
  /** The matrix editors and settings: folded away once the inputs are set. */
  editors: ReactNode;
  /** The step shown (0 = none yet): the editors fold when the first step is taken. */
  position: number;
  /** The route, so a view that crashes can start again from the page's example. */
  route: HashRoute;
  children: ReactNode;
}

/**
 * The frame of a stepper page: title, introduction, the error sentence, and the input editors in
 * a <details> that starts folded when the link's inputs are valid and folds when a step is
 * taken, so each matrix is on screen once, as the grid being computed.
 */
export function StepperLayout<T>({
  title,
  intro,
  choices,
  inputs,
  summary,
  editors,
  position,
  route,
  children,
}: Props<T>) {
  const [open, setOpen] = useState(inputs.error !== null);
  const [lastPosition, setLastPosition] = useState(position);
  if (position !== lastPosition) {
    setLastPosition(position);
    if (lastPosition === 0 && position > 0 && open) setOpen(false);
  }
  return (
    <div className="stack viz-page">
      <section className="card viz-inputs">
        <h1>{title}</h1>
        {intro}
        <VizError error={inputs.error} showingExample={inputs.showingExample} onReset={inputs.reset} />
        <div className="viz-inputs-row">
          {choices}
          <details
            className="viz-edit"
            open={open}
            onToggle={(e) => setOpen(e.currentTarget.open)}
            data-testid="viz-inputs"
          >
            <summary data-testid="viz-inputs-toggle">
              Change the inputs <span className="muted">({summary})</span>
            </summary>
            <div className="viz-edit-body">{editors}</div>
          </details>
        </div>
      </section>
      <StepperBoundary name={route.name} query={route.query}>
        {children}
      </StepperBoundary>
    </div>
  );
}

/**
 * Catches a crash of the stepper below the inputs. "Start again with the example" goes to the
 * page without a query, so a link that broke the view is not loaded again as it was.
 */
interface BoundaryProps {
  name: string;
  query: string;
  children: ReactNode;
}
interface BoundaryState {
  error: Error | null;
  query: string;
}

class StepperBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: null, query: this.props.query };

  static getDerivedStateFromError(error: Error): Partial<BoundaryState> {
    return { error };
  }

  /** A new link is a fresh start. */
  static getDerivedStateFromProps(props: BoundaryProps, state: BoundaryState): Partial<BoundaryState> | null {
    return props.query !== state.query ? { error: null, query: props.query } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Stepper crashed:', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    const example = `#/${this.props.name}`;
    return (
      <div className="card error-card" role="alert" data-testid="stepper-crash">
        <h2>The stepper ran into a problem</h2>
        <p>{this.state.error.message}</p>
        <button
          type="button"
          className="button"
          onClick={() => {
            if (window.location.hash !== example) window.location.hash = example;
            else this.setState({ error: null });
          }}
        >
          Start again with the example
        </button>
      </div>
    );
  }
}
