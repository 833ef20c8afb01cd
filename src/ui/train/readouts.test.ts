import { describe, expect, it } from 'vitest';
import { formatRate, raceVerdict } from './readouts';
import { imagesPerSecond } from '../../engine/train/throughput';

describe('the images-per-second read-out', () => {
  it('shows 4,000 images in 2.6 s as 1,538', () => {
    expect(formatRate(imagesPerSecond(4000, 2600))).toBe('1,538');
  });

  it('groups thousands and rounds to whole images', () => {
    expect(formatRate(32_000)).toBe('32,000');
    expect(formatRate(12.6)).toBe('13');
  });

  it('shows a dash before anything was measured', () => {
    expect(formatRate(0)).toBe('—');
    expect(formatRate(Number.NaN)).toBe('—');
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('the CPU-vs-GPU race result', () => {
  it('says the GPU was faster, and by how much, when it took less time per step', () => {
    const v = raceVerdict(32, 10)!;
    expect(v).toMatchObject({ winner: 'gpu', factorText: '3.2' });
    expect(v.sentence).toBe('The GPU was 3.2× faster per step.');
  });

  it('says the CPU was faster when the GPU took longer (never "the GPU was 0.1× faster")', () => {
    const v = raceVerdict(5, 60)!;
    expect(v).toMatchObject({ winner: 'cpu', factorText: '12' });
    expect(v.sentence).toBe('The CPU was 12× faster per step.');
    expect(v.sentence).not.toMatch(/0\.\d×/);
  });

  it('calls times within 10% of each other about the same speed', () => {
    expect(raceVerdict(10, 9.5)!.sentence).toBe('About the same speed per step.');
    expect(raceVerdict(9.5, 10)!.winner).toBe('tie');
    expect(raceVerdict(11.5, 10)!.sentence).toBe('The GPU was 1.1× faster per step.');
  });

  it('rounds factors of 10 and more to whole numbers', () => {
    expect(raceVerdict(1234, 1)!.factorText).toBe('1,234');
    expect(raceVerdict(99.6, 10)!.factorText).toBe('10');
    expect(raceVerdict(9.94, 1)!.factorText).toBe('9.9');
  });

  it('gives no verdict when a side was not timed', () => {
    expect(raceVerdict(0, 5)).toBeNull();
    expect(raceVerdict(5, 0)).toBeNull();
    expect(raceVerdict(Number.NaN, 5)).toBeNull();
  });
});
