/**
 * Throughput read-outs shared by every training path (GPU and CPU reference): plain ratios of
 * work done to time spent, so the number on the page can be checked with a calculator.
 */

/** Images per second: images trained divided by the elapsed seconds; 0 until both are positive. */
export function imagesPerSecond(images: number, elapsedMs: number): number {
  if (!(images > 0) || !(elapsedMs > 0) || !Number.isFinite(images) || !Number.isFinite(elapsedMs)) return 0;
  return (images * 1000) / elapsedMs;
}
