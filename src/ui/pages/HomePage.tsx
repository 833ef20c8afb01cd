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
    text: 'Train on 60,000 handwritten digits inside this tab. Every forward, backward and optimizer step is a WGSL shader on your GPU.',
  },
  {
    href: '#/kernels',
    title: 'Edit the kernels',
    text: 'Open the exact WGSL code that trains your network, change it, test it against the CPU, and train with your version.',
  },
];

/** Landing page: what the playground is and where to start. */
export function HomePage() {
  return (
    <div className="home">
      <section className="hero">
        <h1>Learn how neural networks run on a GPU</h1>
        <p className="lede">
          Build a network, step through the arithmetic, and train it on handwritten digits, all in your browser. Nothing
          to install: the training runs on your graphics card through WebGPU, with hand-written compute shaders you can
          read and edit.
        </p>
        <div className="hero-actions">
          <a className="button primary" href="#/train">
            Start training
          </a>
          <a className="button" href="#/matmul?a=1,2,3;4,5,6&b=7,8;9,10;11,12">
            See a matrix multiply
          </a>
        </div>
      </section>
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
