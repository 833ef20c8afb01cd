import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

/** Keeps one broken view from blanking the page: shows what went wrong and a way back. */
interface Props {
  children: ReactNode;
  /** The route name, so the view can be reopened without the link's inputs that broke it. */
  route?: string;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('View crashed:', error, info.componentStack);
  }

  private openFresh = () => {
    // Replace, not push: Back should not lead into the inputs that crashed the view again.
    window.history.replaceState(null, '', `#/${this.props.route ?? ''}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    this.setState({ error: null });
  };

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="card error-card" role="alert" data-testid="view-error">
        <h2>This view ran into a problem</h2>
        <p>{this.state.error.message}</p>
        <p>
          Your other work is safe. If this view was opened from a link, the link&apos;s inputs may be what broke it:
          open the view without them, or go to another page with the links above.
        </p>
        <div className="hero-actions">
          {this.props.route !== undefined && (
            <button type="button" className="button primary" data-testid="view-error-fresh" onClick={this.openFresh}>
              Open this view without the link&apos;s inputs
            </button>
          )}
          <button type="button" className="button" onClick={() => this.setState({ error: null })}>
            Try the same inputs again
          </button>
        </div>
      </div>
    );
  }
}
