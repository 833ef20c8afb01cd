/**
 * Draw a digit with the mouse, a finger or a pen and watch the network's answer change as you
 * draw. The drawing is turned into an MNIST-like 28×28 image (see data/drawnDigit.ts); the
 * worker runs it through the network. One request at a time: the newest drawing wins.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { drawingToMnist } from '../../data/drawnDigit';
import { askDashboard } from './dashboardClient';
import { DigitImage, ProbabilityBars } from './digitParts';

const SIZE = 280;

export function DrawDigit({ modelVersion, onImage }: { modelVersion: number; onImage: (pixels: Uint8Array) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const inFlight = useRef(false);
  const queued = useRef<Uint8Array | null>(null);
  const [pixels, setPixels] = useState<Uint8Array | null>(null);
  const [probs, setProbs] = useState<number[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const predict = useCallback((img: Uint8Array) => {
    if (inFlight.current) {
      queued.current = img;
      return;
    }
    inFlight.current = true;
    askDashboard({ op: 'predictImage', pixels: img })
      .then(
        (r) => {
          setProbs(r.probs);
          setError(null);
        },
        (e: Error) => setError(e.message),
      )
      .finally(() => {
        inFlight.current = false;
        const next = queued.current;
        queued.current = null;
        if (next) predict(next);
      });
  }, []);

  const update = useCallback(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const data = ctx.getImageData(0, 0, SIZE, SIZE).data;
    const ink = new Uint8Array(SIZE * SIZE);
    for (let i = 0; i < ink.length; i++) ink[i] = data[i * 4 + 3];
    const img = drawingToMnist(ink, SIZE, SIZE);
    setPixels(img);
    if (img) {
      onImage(img);
      predict(img);
    } else setProbs(null);
  }, [onImage, predict]);

  // New weights: ask again for the digit on the canvas.
  useEffect(() => {
    if (pixels) predict(pixels);
  }, [modelVersion]); // eslint-disable-line react-hooks/exhaustive-deps

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * SIZE) / r.width, y: ((e.clientY - r.top) * SIZE) / r.height };
  };
  const stroke = (to: { x: number; y: number }) => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const from = last.current ?? to;
    ctx.strokeStyle = '#111827';
    ctx.lineWidth = 22;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + 0.01, to.y);
    ctx.stroke();
    last.current = to;
  };
  const clear = () => {
    canvas.current?.getContext('2d')?.clearRect(0, 0, SIZE, SIZE);
    setPixels(null);
    setProbs(null);
  };
  const best = probs ? probs.reduce((b, p, i) => (p > probs[b] ? i : b), 0) : null;

  return (
    <section className="card" aria-labelledby="draw-title">
      <h2 id="draw-title">Draw a digit</h2>
      <p className="muted">
        Draw one digit, large, in the box. It is shrunk to 28×28 pixels and centred, like the MNIST images, before the
        network sees it.
      </p>
      <div className="draw-layout">
        <div className="draw-column">
          <canvas
            ref={canvas}
            width={SIZE}
            height={SIZE}
            className="draw-canvas"
            data-testid="draw-canvas"
            aria-label="Drawing area: draw a digit here"
            onPointerDown={(e) => {
              e.currentTarget.setPointerCapture(e.pointerId);
              last.current = null;
              stroke(point(e));
              update();
            }}
            onPointerMove={(e) => {
              if (e.buttons === 0 && e.pointerType === 'mouse') return;
              if (!e.currentTarget.hasPointerCapture(e.pointerId)) return;
              stroke(point(e));
              update();
            }}
            onPointerUp={() => (last.current = null)}
          />
          <button type="button" className="button" onClick={clear} data-testid="draw-clear">
            Clear
          </button>
        </div>
        <div className="draw-column">
          <p className="muted">What the network sees:</p>
          {pixels ? (
            <DigitImage pixels={pixels} label="your digit at 28×28" className="digit-image large" />
          ) : (
            <div className="digit-image large empty" />
          )}
        </div>
        <div className="draw-result">
          {error && (
            <p className="bad-text" role="alert">
              {error}
            </p>
          )}
          {probs && best !== null ? (
            <>
              <p className="draw-answer">
                The network says <strong data-testid="draw-prediction">{best}</strong> ({(probs[best] * 100).toFixed(1)}
                % sure)
              </p>
              <ProbabilityBars probs={probs} testId="draw-probabilities" />
            </>
          ) : (
            <p className="muted">{pixels ? 'Asking the network…' : 'Nothing drawn yet.'}</p>
          )}
        </div>
      </div>
    </section>
  );
}
