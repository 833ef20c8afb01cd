import { useState } from 'react';
import { ConvAnimation } from '../home/ConvAnimation';
import { LiveTraining } from '../home/LiveTraining';
import { prefersReducedMotion } from '../home/usePageVisible';
import '../home/home.css';

const FEATURES = [
  {
    href: '#/build',
    title: 'Build a network',
    text: 'Stack dense, convolution, pooling and dropout layers. Shapes, parameter counts and cost update as you type.',
  },
  {
    href: '#/matmul',
    title: 'Step through the math',
    text: 'Type small matrices and images, then watch matrix multiplication, convolution and pooling one multiply-add at a time, forward and backward.',
  },
  {
    href: '#/train',
    title: 'Train on MNIST',
    text: 'Train on 60,000 handwritten digits inside this tab. Every forward, backward and optimizer step is a WGSL compute shader (plain JavaScript on the CPU where the browser has no WebGPU).',
  },
  {
    href: '#/kernels',
    title: 'Edit the kernels',
    text: 'Open the exact WGSL code that trains your network, change it, test it against the CPU, and train with your version.',
  },
];

/** Landing page: a network training live beside a moving convolution, then where to go next. */
export function HomePage() {
  // Read once: with reduced motion nothing starts by itself, and the Play buttons say so.
  const [autoplay] = useState(() => !prefersReducedMotion());
  return (
    <div className="home">
      <section className="home-intro">
        <h1>Learn how neural networks run on a GPU</h1>
        <p className="lede">
          Below, a small network learns to read handwritten digits right now, in this tab. Build your own, step through
          the arithmetic, and read or edit the WebGPU shaders that train it.
        </p>
      </section>
      <div className="home-live">
        <LiveTraining autoplay={autoplay} />
        <ConvAnimation autoplay={autoplay} />
      </div>
      <section className="feature-grid" aria-label="What you can do">
        {FEATURES.map((f) => (
          <a key={f.href} className="card feature" href={f.href}>
            <h2>{f.title}</h2>
            <p>{f.text}</p>
          </a>
        ))}
      </section>
    </div>
  );
}
