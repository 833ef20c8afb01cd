/**
 * Classroom challenges: a kernel, a deliberately weak or buggy starting text, and a goal in plain
 * English. The editor's Test and Benchmark buttons are the judge.
 */
import matmulNaive from '../../../kernels/challenges/matmul_naive.wgsl?raw';
import activationBug from '../../../kernels/challenges/activation_forward_bug.wgsl?raw';
import biasGradSerial from '../../../kernels/challenges/bias_grad_serial.wgsl?raw';

export interface Challenge {
  id: string;
  title: string;
  kernel: string;
  /** What to achieve, for students. */
  goal: string;
  /** How the editor judges it. */
  judge: string;
  startSource: string;
}

export const CHALLENGES: readonly Challenge[] = [
  {
    id: 'tiled-matmul',
    title: 'Make the naive matmul tiled',
    kernel: 'matmul',
    goal: 'This matrix multiply reads every number from slow GPU memory again and again. Stage tiles of A and B in fast workgroup memory so each value is read once and shared by many threads.',
    judge:
      'Test must pass. Benchmark: get as close to the built-in kernel as you can (it is about 3× faster than the starting text on most GPUs).',
    startSource: matmulNaive,
  },
  {
    id: 'relu-bug',
    title: 'Fix the ReLU',
    kernel: 'activation_forward',
    goal: 'ReLU should turn every negative input into 0, but this kernel lets a tenth of it through. Find the wrong line and fix it.',
    judge: 'Test must pass on every shape; then use it in training.',
    startSource: activationBug,
  },
  {
    id: 'parallel-bias-grad',
    title: 'Share the bias gradient among threads',
    kernel: 'bias_grad',
    goal: 'Only one thread per workgroup adds up the whole channel while 255 others sit idle. Give every thread a share and combine the shares with a tree reduction in workgroup memory.',
    judge: 'Test must pass. Benchmark: beat the starting text by a wide margin.',
    startSource: biasGradSerial,
  },
];

export function challengeById(id: string): Challenge | undefined {
  return CHALLENGES.find((c) => c.id === id);
}
