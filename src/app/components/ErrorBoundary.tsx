import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** what this view is, for the message (e.g. "Summary table") */
  name: string;
  /** when this value changes, a failed view tries to render again (e.g. a new run replaced the bad data) */
  resetKey?: unknown;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Keeps one failing view from taking the page down: when a child throws while rendering, this view shows "this
 * view failed: <message>" in its place and the rest of the page stays alive. "Try again" (or a change of
 * `resetKey`) renders the view anew.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.name}: this view failed`, error, info.componentStack);
  }

  override componentDidUpdate(prev: Props): void {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="panel view-error" role="alert" data-testid="view-error" data-view={this.props.name}>
        <h2>{this.props.name}</h2>
        <p>
          This view failed: <span data-testid="view-error-message">{error.message || error.name}</span>
        </p>
        <p className="muted small">The rest of the page keeps working.</p>
        <button onClick={() => this.setState({ error: null })}>Try again</button>
      </section>
    );
  }
}
