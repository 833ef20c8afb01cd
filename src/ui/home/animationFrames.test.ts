import { describe, expect, it } from 'vitest';
import { convForwardSteps } from '../../viz/convSteps';
import { valuesAt } from '../../viz/trace';
import { cellEnds, loopFrames, nextFrame } from './animationFrames';
import { cellLook, HOME_CONV, HOME_CONV_HASH } from './ConvAnimation';
import { parseConvQuery } from '../../viz/parse';

describe('the looping convolution', () => {
  const trace = convForwardSteps(HOME_CONV);

  it('stops once per output cell, after its ninth product, with that cell just written', () => {
    const ends = cellEnds(trace);
    expect(ends).toHaveLength(36);
    expect(ends.slice(0, 3)).toEqual([9, 18, 27]);
    expect(ends[35]).toBe(trace.steps.length);
    // At each stop exactly one more output cell is filled in than at the stop before.
    ends.forEach((p, i) => expect(valuesAt(trace, p).out.filter((v) => v !== null)).toHaveLength(i + 1));
  });

  it('shows the correct sums: the first window of the 7 against the vertical-edge kernel', () => {
    const first = valuesAt(trace, 9).out[0];
    // Rows 0..2, columns 0..2 of the image times [1,0,-1] in each row.
    expect(first).toBe(0 - 0 + (0 - 9) + (0 - 0));
    expect(trace.steps[8].formula).toMatch(/^out\[0,0\] = .* = -9$/);
  });

  it('starts from the empty output, ends holding the result, and wraps around', () => {
    const frames = loopFrames(trace, 3);
    expect(frames[0]).toBe(0);
    expect(frames.slice(-4)).toEqual([324, 324, 324, 324]);
    expect(frames).toHaveLength(1 + 36 + 3);
    expect(nextFrame(frames.length - 1, frames.length)).toBe(0);
    expect(nextFrame(4, frames.length)).toBe(5);
    expect(nextFrame(0, 0)).toBe(0);
  });

  it('links to the conv stepper with the same image and kernel', () => {
    const [, query] = HOME_CONV_HASH.split('?');
    const parsed = parseConvQuery(new URLSearchParams(query));
    expect(HOME_CONV_HASH.startsWith('#/conv?')).toBe(true);
    expect(parsed).toEqual({ ok: true, value: HOME_CONV });
  });
});

/** WCAG contrast of text on an rgba() background laid over white paper. */
function contrastOnPaper(bg: string | undefined, light: boolean): number {
  const [r, g, b, a] = bg ? bg.match(/[\d.]+/g)!.map(Number) : [255, 255, 255, 0];
  const over = (c: number) => c * a + 255 * (1 - a);
  const lum = (rgb: number[]) => {
    const [R, G, B] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const back = lum([over(r), over(g), over(b)]);
  const text = lum(light ? [255, 255, 255] : [17, 24, 39]);
  return (Math.max(back, text) + 0.05) / (Math.min(back, text) + 0.05);
}

describe('the animated cells’ colours', () => {
  it('keep every number readable (contrast of at least 4.5:1) for every value and grid', () => {
    for (const kind of ['image', 'kernel', 'output'] as const) {
      for (let v = -9; v <= 9; v += 0.25) {
        const { bg, light } = cellLook(v, kind, 9);
        expect(contrastOnPaper(bg, light), `${kind} ${v}`).toBeGreaterThanOrEqual(4.5);
      }
    }
    expect(cellLook(null, 'output', 9)).toEqual({ light: false });
  });
});
