import { Fragment, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PageProps } from '../shell/routes';
import { ALL_KERNELS, kernelByName } from '../../engine/ops';
import type { CompileMessage } from '../../engine/kernel/runner';
import type { KernelBenchResult } from '../../engine/kernel/bench';
import { appStore, useAppState } from '../../state/store';
import { buildHash } from '../router';
import { CodeEditor } from './CodeEditor';
import { DiffView } from './DiffView';
import { KernelInfo } from './KernelInfo';
import { BenchResults, TestResults } from './KernelResults';
import { CHALLENGES, type Challenge } from './challenges';
import { changedLineCount, draftOf, selectedKernel } from './drafts';
import { kernelEdit, onWorkerEvent, reacquireWorkerGpu } from './editorClient';
import { kernelLinkHash, parseKernelLink } from './kernelLink';
import { compileMessagesToMarkers, describePlace } from './markers';
import './editor.css';
import type { KernelCheckResult } from '../../engine/kernel/spec';

const NAMES = ALL_KERNELS.map((k) => k.name);

type Compiled = { kernel: string; text: string; ok: boolean; messages: CompileMessage[] };
type TestRun =
  | { kind: 'running' }
  | { kind: 'done'; kernel: string; text: string; result: KernelCheckResult; ms: number }
  | { kind: 'failed'; message: string };
type BenchRun = { kind: 'running' } | { kind: 'done'; result: KernelBenchResult } | { kind: 'failed'; message: string };
type Busy = null | 'test' | 'bench' | 'use' | 'revert';

/** `#/kernels`: read, edit, test, time and swap the WGSL kernels the trainer runs. */
export function KernelEditorPage({ route }: PageProps) {
  const selected = useAppState((s) => selectedKernel(s.editor));
  const drafts = useAppState((s) => s.editor.drafts);
  const inUse = useAppState((s) => s.editor.inUse);
  const worker = useAppState((s) => s.worker);
  const hasGpu = worker.kind === 'ready' && worker.gpu !== null;
  const spec = kernelByName(selected);
  const text = draftOf({ drafts }, selected);

  const [compiled, setCompiled] = useState<Compiled | null>(null);
  const [test, setTest] = useState<TestRun | null>(null);
  const [bench, setBench] = useState<BenchRun | null>(null);
  // A finished Test or Benchmark brings its result into view next to the buttons that ran it
  // (on a projector the results would otherwise sit below the fold, out of the class's sight).
  const resultsRef = useRef<HTMLDivElement>(null);
  const testKind = test?.kind;
  const benchKind = bench?.kind;
  useEffect(() => {
    if (testKind === 'running' || benchKind === 'running') return;
    if (testKind === undefined && benchKind === undefined) return;
    // Only as far as the result's first lines: a long table must not push the buttons off screen.
    const top = resultsRef.current?.getBoundingClientRect().top;
    const wanted = 96;
    if (top !== undefined && top + wanted > window.innerHeight)
      window.scrollBy({ top: top + wanted - window.innerHeight, behavior: 'smooth' });
  }, [testKind, benchKind]);
  const [busy, setBusy] = useState<Busy>(null);
  const [notice, setNotice] = useState<{ text: string; tone: 'ok' | 'bad' | 'info' } | null>(null);
  const [showDiff, setShowDiff] = useState(false);
  const [share, setShare] = useState<{ url?: string; message: string } | null>(null);
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [pendingLink, setPendingLink] = useState<{ kernel: string; source: string } | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);

  // A link may name a kernel, and may carry edited source: shown, never run, until the user says so.
  useEffect(() => {
    const link = parseKernelLink(route.params, NAMES);
    const store = appStore.getState();
    if (link.kernel) store.selectKernel(link.kernel);
    if (link.kind === 'invalid') setLinkError(link.reason);
    if (link.kind === 'source' && draftOf(store.editor, link.kernel) !== link.source)
      setPendingLink({ kernel: link.kernel, source: link.source });
    // Only a new hash query is a new link.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [route.query]);

  // Compile as the user types (debounced), for the markers and the error list.
  useEffect(() => {
    if (!hasGpu) return;
    const timer = setTimeout(() => {
      kernelEdit({ op: 'compile', kernel: selected, source: text }).then(
        (r) => setCompiled({ kernel: selected, text, ok: r.ok, messages: r.messages }),
        (e: Error) =>
          setCompiled({
            kernel: selected,
            text,
            ok: false,
            messages: [{ line: 0, column: 0, type: 'error', message: e.message }],
          }),
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [selected, text, hasGpu]);

  // What training runs now, and what happens to it when the Worker loses its device or a run goes bad.
  useEffect(() => {
    if (hasGpu)
      void kernelEdit({ op: 'status' }).then(
        (r) => appStore.getState().setKernelsInUse(r.inUse),
        () => undefined,
      );
  }, [hasGpu]);
  useEffect(
    () =>
      onWorkerEvent((event) => {
        const store = appStore.getState();
        if (event.type === 'kernelsRestored') {
          store.setKernelsInUse(store.editor.inUse.filter((k) => !event.kernels.includes(k)));
          setNotice({ text: event.message, tone: 'bad' });
        } else if (event.type === 'gpuLost') {
          store.setKernelsInUse([]);
          const lost = `The training GPU device was lost (${event.message}); the built-in kernels will run on the next one. Your edits and your model's charts are kept.`;
          setNotice({ text: `${lost} Getting a new GPU device…`, tone: 'bad' });
          reacquireWorkerGpu().then(
            (msg) => setNotice({ text: `${lost} ${msg}`, tone: 'info' }),
            (e: Error) => setNotice({ text: `${lost} ${e.message}`, tone: 'bad' }),
          );
        }
      }),
    [],
  );

  const current = compiled && compiled.kernel === selected && compiled.text === text ? compiled : null;
  const markers = useMemo(() => (current ? compileMessagesToMarkers(current.messages, current.text) : []), [current]);
  const errors = current?.messages.filter((m) => m.type === 'error') ?? [];
  const testDone = test?.kind === 'done' && test.kernel === selected ? test : null;
  const testedThisText = testDone !== null && testDone.text === text;
  const canUse = hasGpu && testedThisText && testDone!.result.pass && busy === null;
  const changes = changedLineCount(spec.builtinSource, text);
  const edited = changes.added + changes.removed > 0;

  const onChange = useCallback((next: string) => {
    const { editor, setKernelDraft, resetKernelDraft } = appStore.getState();
    const name = selectedKernel(editor);
    if (next === kernelByName(name).builtinSource) resetKernelDraft(name);
    else setKernelDraft(name, next);
  }, []);

  function choose(name: string) {
    appStore.getState().selectKernel(name);
    setTest(null);
    setBench(null);
    setShare(null);
    history.replaceState(null, '', buildHash('kernels', `k=${encodeURIComponent(name)}`));
  }

  async function run<T>(what: Exclude<Busy, null>, work: () => Promise<T>): Promise<T | undefined> {
    setBusy(what);
    try {
      return await work();
    } catch (e) {
      setNotice({ text: (e as Error).message, tone: 'bad' });
      return undefined;
    } finally {
      setBusy(null);
    }
  }

  async function runTest() {
    const [kernel, source] = [selected, text];
    setTest({ kind: 'running' });
    const r = await run('test', () => kernelEdit({ op: 'test', kernel, source }));
    if (!r) return setTest({ kind: 'failed', message: 'The test could not run.' });
    setTest({ kind: 'done', kernel, text: source, result: r.result, ms: r.ms });
    if (r.deviceLost)
      setNotice({
        text: "The test's GPU device stopped and a fresh one will be used next time. Training and your model were not touched.",
        tone: 'bad',
      });
  }

  async function runBench() {
    setBench({ kind: 'running' });
    const r = await run('bench', () => kernelEdit({ op: 'benchmark', kernel: selected, source: text }));
    setBench(
      r?.result
        ? { kind: 'done', result: r.result }
        : { kind: 'failed', message: r?.error ?? 'The benchmark could not run.' },
    );
  }

  async function swapIntoTraining() {
    const [kernel, source] = [selected, text];
    const r = await run('use', () => kernelEdit({ op: 'use', kernel, source }));
    if (!r) return;
    appStore.getState().setKernelsInUse(r.inUse);
    setNotice({ text: r.message, tone: r.ok ? 'ok' : 'bad' });
    if (r.result) setTest({ kind: 'done', kernel, text: source, result: r.result, ms: 0 });
  }

  async function revert() {
    const r = await run('revert', () => kernelEdit({ op: 'revert', kernel: selected }));
    if (!r) return;
    appStore.getState().setKernelsInUse(r.inUse);
    setNotice({
      text: `Training uses the built-in ${selected} kernel again. Your edited text stays in the editor.`,
      tone: 'info',
    });
  }

  function makeLink() {
    const link = kernelLinkHash(selected, text);
    if (!link.ok) return setShare({ message: link.reason });
    const url = `${location.origin}${location.pathname}${link.hash}`;
    setShare({
      url,
      message: 'Anyone who opens this link sees your kernel in the editor; nothing runs until they choose to.',
    });
    navigator.clipboard?.writeText(url).then(
      () =>
        setShare({
          url,
          message:
            'Link copied. Anyone who opens it sees your kernel in the editor; nothing runs until they choose to.',
        }),
      () => undefined,
    );
  }

  function startChallenge(c: Challenge) {
    appStore.getState().setKernelDraft(c.kernel, c.startSource);
    choose(c.kernel);
    setChallenge(c);
  }

  function acceptLink(view: boolean) {
    if (view && pendingLink) {
      appStore.getState().setKernelDraft(pendingLink.kernel, pendingLink.source);
      choose(pendingLink.kernel);
      setNotice({
        text: `Showing the ${pendingLink.kernel} kernel from the link. It has not run; press Test to check it.`,
        tone: 'info',
      });
    }
    setPendingLink(null);
  }

  const compileState = !hasGpu ? 'unavailable' : !current ? 'checking' : errors.length ? 'errors' : 'ok';
  return (
    <div className="stack kernel-page">
      <section className="card">
        <h1>Kernel editor</h1>
        <p className="lede">
          These are the WGSL compute shaders that train your network. Change one, test it against the CPU on random
          inputs, time it against the built-in version, and, if it passes, train with it.
        </p>
      </section>

      {pendingLink && (
        <section className="card link-banner" role="alert" data-testid="kernel-link-banner">
          <p>
            <strong>This link carries an edited {pendingLink.kernel} kernel</strong> (
            {changedLineCount(kernelByName(pendingLink.kernel).builtinSource, pendingLink.source).added} changed lines).
            Nothing from it has run. Look at it first; it only runs if you press Test, and only trains if you then
            choose Use in training.
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button primary"
              data-testid="kernel-link-view"
              onClick={() => acceptLink(true)}
            >
              View it in the editor
            </button>
            <button type="button" className="button" data-testid="kernel-link-ignore" onClick={() => acceptLink(false)}>
              Ignore it
            </button>
          </div>
        </section>
      )}
      {linkError && (
        <div className="error-card" role="alert" data-testid="config-error">
          {linkError}
        </div>
      )}
      {notice && (
        <div className={`notice notice-${notice.tone}`} role="status" data-testid="kernel-notice">
          {notice.text}
        </div>
      )}

      <div className="kernel-layout">
        <aside className="kernel-side">
          <nav className="card" aria-label="Kernels">
            <h2>Kernels</h2>
            <ul className="kernel-list">
              {ALL_KERNELS.map((k) => (
                <li key={k.name}>
                  <button
                    type="button"
                    className="kernel-item"
                    aria-current={k.name === selected ? 'true' : undefined}
                    data-testid={`kernel-item-${k.name}`}
                    onClick={() => choose(k.name)}
                  >
                    <span className="mono">{breakableName(k.name)}</span>
                    {drafts[k.name] !== undefined && <span className="tag">edited</span>}
                    {inUse.includes(k.name) && <span className="tag tag-live">in training</span>}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          <section className="card" aria-labelledby="challenges-title">
            <h2 id="challenges-title">Challenges</h2>
            <ul className="challenge-list">
              {CHALLENGES.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    className="link-button"
                    data-testid={`challenge-${c.id}`}
                    onClick={() => startChallenge(c)}
                  >
                    {c.title}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        </aside>

        <div className="kernel-main stack">
          <KernelInfo spec={spec} />
          {challenge && challenge.kernel === selected && (
            <section className="card challenge-card" data-testid="challenge-card">
              <h2>Challenge: {challenge.title}</h2>
              <p>{challenge.goal}</p>
              <p className="muted">{challenge.judge}</p>
            </section>
          )}
          <section className="card editor-card">
            <div className="editor-head">
              <p data-testid="kernel-draft-summary" className="muted">
                {edited
                  ? `Your version differs from the built-in kernel: ${changes.added} line(s) added or changed, ${changes.removed} removed.`
                  : 'This is the built-in kernel. Edit it below.'}
              </p>
              <p
                data-testid="kernel-compile-status"
                data-state={compileState}
                className={compileState === 'errors' ? 'bad-text' : compileState === 'ok' ? 'ok-text' : 'muted'}
              >
                {compileState === 'unavailable'
                  ? 'No GPU in the training worker, so kernels cannot be compiled here.'
                  : compileState === 'checking'
                    ? 'Compiling…'
                    : compileState === 'errors'
                      ? `${errors.length} compile error(s)`
                      : 'Compiles'}
              </p>
            </div>
            {showDiff ? (
              <DiffView original={spec.builtinSource} modified={text} />
            ) : (
              <CodeEditor value={text} onChange={onChange} markers={markers} label={`WGSL source of ${selected}`} />
            )}
            {current && current.messages.length > 0 && (
              <ul className="compile-errors" data-testid="kernel-compile-errors">
                {current.messages.map((m, i) => (
                  <li
                    key={i}
                    data-testid="kernel-compile-error"
                    data-line={m.line}
                    className={m.type === 'error' ? 'bad-text' : 'muted'}
                  >
                    {describePlace(m)}: {m.type === 'error' ? '' : `${m.type}: `}
                    {m.message}
                  </li>
                ))}
              </ul>
            )}
            <div className="button-row">
              <button
                type="button"
                className="button primary"
                data-testid="kernel-test"
                disabled={!hasGpu || busy !== null}
                onClick={() => void runTest()}
              >
                {busy === 'test' ? 'Testing…' : 'Test'}
              </button>
              <button
                type="button"
                className="button"
                data-testid="kernel-bench"
                disabled={!hasGpu || busy !== null}
                onClick={() => void runBench()}
              >
                {busy === 'bench' ? 'Timing…' : 'Benchmark'}
              </button>
              <button
                type="button"
                className="button"
                data-testid="kernel-use"
                disabled={!canUse}
                onClick={() => void swapIntoTraining()}
                title={canUse ? '' : 'Only a kernel whose test passes can be used in training'}
              >
                {busy === 'use' ? 'Swapping in…' : 'Use in training'}
              </button>
              <button
                type="button"
                className="button"
                data-testid="kernel-revert"
                disabled={!inUse.includes(selected) || busy !== null}
                onClick={() => void revert()}
                title="Training goes back to the shipped kernel; your edited text stays in the editor"
              >
                Use the built-in kernel in training
              </button>
              <button
                type="button"
                className="button"
                data-testid="kernel-diff-toggle"
                aria-pressed={showDiff}
                onClick={() => setShowDiff((v) => !v)}
              >
                {showDiff ? 'Back to editing' : 'Show changes'}
              </button>
              <button type="button" className="button" data-testid="share-link" onClick={makeLink}>
                Share link
              </button>
              <button
                type="button"
                className="button"
                data-testid="kernel-reset"
                disabled={!edited}
                onClick={() => appStore.getState().resetKernelDraft(selected)}
                title="The editor shows the shipped kernel again; what training runs does not change"
              >
                Discard my edits
              </button>
            </div>
            <p className="muted" data-testid="kernel-in-use">
              {inUse.includes(selected)
                ? `Training runs your edited ${selected}.`
                : `Training runs the built-in ${selected}.`}
              {!canUse && hasGpu && ' Use in training unlocks when the test passes for the text in the editor.'}
            </p>
            {share && (
              <div className="share-box" data-testid="kernel-share-status">
                <p>{share.message}</p>
                {share.url && (
                  <input
                    className="share-url"
                    readOnly
                    value={share.url}
                    data-testid="kernel-share-url"
                    aria-label="Share link"
                    onFocus={(e) => e.target.select()}
                  />
                )}
              </div>
            )}
          </section>
          <div className="kernel-results stack" ref={resultsRef}>
            {test?.kind === 'running' && (
              <p className="muted" aria-live="polite">
                Running the test on random shapes…
              </p>
            )}
            {test?.kind === 'failed' && <div className="error-card">{test.message}</div>}
            {testDone && <TestResults result={testDone.result} ms={testDone.ms} stale={!testedThisText} />}
            {bench?.kind === 'running' && (
              <p className="muted" aria-live="polite">
                Timing both kernels…
              </p>
            )}
            {bench?.kind === 'failed' && (
              <div className="error-card" data-testid="kernel-bench-error">
                {bench.message}
              </div>
            )}
            {bench?.kind === 'done' && bench.result.kernel === selected && <BenchResults result={bench.result} />}
          </div>
        </div>
      </div>
    </div>
  );
}

/** A kernel's name with line-break chances after its underscores, so long names wrap between words. */
function breakableName(name: string): ReactNode[] {
  return name.split('_').map((part, i, parts) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          _<wbr />
        </>
      )}
    </Fragment>
  ));
}
