// Structural sweep of big f32 matmul kernels: which tile shape, staging layout and load width
// make a 4096^3 matmul fastest on this adapter. Plain Node + Dawn, no bundling, so it runs on the
// device machine straight from the tree:
//   DAWN_NODE=/tmp/b/dawn.node /tmp/b/node bench/matmul-sweep.mjs [--sizes 4096,2048] [--only name,...]
//                                                                 [--toggles disable_robustness] [--large a.wgsl,b.wgsl] [--constants NAME=1]
// Locally (SwiftShader, slow: use small sizes) it checks that every variant computes the right C:
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node bench/matmul-sweep.mjs --sizes 256
//
// The variants have no bounds checks and no flags (M, N, K must be multiples of the tiles): they
// measure the ceiling of each structure. The fastest (k8 / m8, 34 TFLOP/s on an H200) is the
// structure of kernels/matmul_large.wgsl, whose whole-tile loop is this kernel plus the engine's
// transposes and epilogue; `npm run bench:kernels` times that file through the engine.
// Findings on an H200: bench/README.md.
// Prints one JSON line per variant and size.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = opt('sizes', '4096').split(',').map(Number);
const only = opt('only', '');
const toggles = opt('toggles', '');
// --large a.wgsl,b.wgsl: more files with matmul_large's interface; --constants EXACT=1,... sets
// their pipeline-overridable constants (then each file runs both without and with them).
const largeFiles = opt('large', '').split(',').filter(Boolean);
const largeConstants = Object.fromEntries(
  opt('constants', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('='))
    .map(([k, v]) => [k, Number(v)]),
);

const dawn = process.env.DAWN_NODE ? createRequire(import.meta.url)(process.env.DAWN_NODE) : await import('webgpu');
Object.assign(globalThis, dawn.globals);
const flags = toggles ? [`enable-dawn-features=${toggles}`] : [];
const gpu = dawn.create(flags);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) throw new Error('no WebGPU adapter');
const device = await adapter.requestDevice({
  requiredLimits: { maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize },
});
const keepAlive = setInterval(() => {}, 1000);
let gpuError = null;
device.onuncapturederror = (e) => {
  gpuError = e.error.message;
};
const info = adapter.info;
console.log(
  JSON.stringify({
    adapter: `${info.vendor}/${info.architecture}/${info.description}`,
    features: [...adapter.features].filter((f) => /subgroup|f16|timestamp/.test(f)),
    subgroupSizes: [info.subgroupMinSize, info.subgroupMaxSize],
    toggles,
    maxWorkgroupStorage: adapter.limits.maxComputeWorkgroupStorageSize,
  }),
);

// ---------------------------------------------------------------- kernel generator
// BM x BN tile per workgroup, TM x TN per thread (multiples of 4; accumulators are NAMED vec4s),
// TK values of K per staging step. Thread (tx, ty) owns rows gr*(BM/(TM/4)) + ty*4 + 0..3 for
// each row group gr, and columns likewise: neighbouring threads read neighbouring vec4s.
// aLayout 'k': A staged k-major (As[k][m/4], scalar transposing stores, one vec4 read gives 4 rows);
//         'm': A staged m-major (As[m][k/4], one vec4 store, one vec4 read gives 4 k of one row).
// g4: global loads and C stores as vec4 (A, B, C bound as array<vec4<f32>>).
// prefetch: double-buffered workgroup memory, next step fetched into registers (1 barrier/step);
//           otherwise the plain load / barrier / multiply / barrier loop.
// unroll: the k loop written out by the generator (constant offsets) instead of a WGSL loop.
function generate(v) {
  const { BM, BN, TM, TN, TK, aLayout, g4, prefetch, unroll } = v;
  const TX = BN / TN,
    TY = BM / TM,
    threads = TX * TY;
  const RG = TM / 4,
    CG = TN / 4; // row groups, column groups
  const rowStride = BM / RG,
    colStride = BN / CG;
  const aVec4 = (BM * TK) / 4,
    bVec4 = (BN * TK) / 4; // vec4s staged per step
  if (aVec4 % threads || bVec4 % threads) throw new Error('tile not divisible among threads');
  const nA = aVec4 / threads,
    nB = bVec4 / threads;
  const bufs = prefetch ? 2 : 1;
  const L = [];
  const arr = g4 ? 'array<vec4<f32>>' : 'array<f32>';
  L.push(`struct Dims { M: u32, N: u32, K: u32, pad: u32 }`);
  L.push(`@group(0) @binding(0) var<storage, read> A: ${arr};`);
  L.push(`@group(0) @binding(1) var<storage, read> B: ${arr};`);
  L.push(`@group(0) @binding(2) var<storage, read_write> C: ${arr};`);
  L.push(`@group(0) @binding(3) var<uniform> d: Dims;`);
  L.push(`var<workgroup> As: array<vec4<f32>, ${bufs * aVec4}>;`);
  L.push(`var<workgroup> Bs: array<vec4<f32>, ${bufs * bVec4}>;`);
  const load4 = (buf, elemIndex) =>
    g4
      ? `${buf}[(${elemIndex}) / 4u]`
      : `vec4<f32>(${buf}[${elemIndex}], ${buf}[${elemIndex} + 1u], ${buf}[${elemIndex} + 2u], ${buf}[${elemIndex} + 3u])`;
  L.push(`@compute @workgroup_size(${TX}, ${TY}, 1)`);
  L.push(`fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {`);
  L.push(`  let tx = lid.x; let ty = lid.y; let tid = ty * ${TX}u + tx;`);
  L.push(`  let row0 = wg.y * ${BM}u; let col0 = wg.x * ${BN}u;`);
  L.push(`  let k_tiles = d.K / ${TK}u;`);
  for (let r = 0; r < TM; r++) for (let g = 0; g < CG; g++) L.push(`  var c${r}_${g} = vec4<f32>();`);
  for (let l = 0; l < nA; l++) L.push(`  var na${l}: vec4<f32>;`);
  for (let l = 0; l < nB; l++) L.push(`  var nb${l}: vec4<f32>;`);
  // fetch step `t` into registers
  const fetch = (t) => {
    const out = [`    let k0 = ${t} * ${TK}u;`];
    for (let l = 0; l < nA; l++) {
      out.push(`    { let i = tid + ${l * threads}u; let m = i / ${TK / 4}u; let k4 = i % ${TK / 4}u;`);
      out.push(`      na${l} = ${load4('A', `(row0 + m) * d.K + k0 + k4 * 4u`)}; }`);
    }
    for (let l = 0; l < nB; l++) {
      out.push(`    { let i = tid + ${l * threads}u; let k = i / ${BN / 4}u; let n4 = i % ${BN / 4}u;`);
      out.push(`      nb${l} = ${load4('B', `(k0 + k) * d.N + col0 + n4 * 4u`)}; }`);
    }
    return out;
  };
  const stage = (base) => {
    const out = [];
    for (let l = 0; l < nA; l++) {
      out.push(`    { let i = tid + ${l * threads}u; let m = i / ${TK / 4}u; let k4 = i % ${TK / 4}u;`);
      if (aLayout === 'm') out.push(`      As[${base} + m * ${TK / 4}u + k4] = na${l}; }`);
      else {
        out.push(`      let q = ${base} + k4 * 4u * ${BM / 4}u + m / 4u; let c = m % 4u;`);
        out.push(
          `      As[q][c] = na${l}.x; As[q + ${BM / 4}u][c] = na${l}.y; As[q + ${BM / 2}u][c] = na${l}.z; As[q + ${(3 * BM) / 4}u][c] = na${l}.w; }`,
        );
      }
    }
    for (let l = 0; l < nB; l++) out.push(`    Bs[${base} + tid + ${l * threads}u] = nb${l};`);
    return out;
  };
  // multiply one staged step at workgroup-memory offsets aBase, bBase
  const multiply = (aBase, bBase) => {
    const out = [];
    const fmas = (aExpr, k) => {
      for (let g = 0; g < CG; g++)
        out.push(`      let b${g} = Bs[${bBase} + ${k} * ${BN / 4}u + ${(g * colStride) / 4}u + tx];`);
      for (let r = 0; r < TM; r++) {
        const a = aExpr(r);
        for (let g = 0; g < CG; g++) out.push(`      c${r}_${g} = fma(vec4<f32>(${a}), b${g}, c${r}_${g});`);
      }
    };
    const comp = ['x', 'y', 'z', 'w'];
    if (aLayout === 'k') {
      const body = (k) => {
        for (let gr = 0; gr < RG; gr++)
          out.push(`      let a${gr} = As[${aBase} + ${k} * ${BM / 4}u + ${(gr * rowStride) / 4}u + ty];`);
        fmas((r) => `a${Math.floor(r / 4)}.${comp[r % 4]}`, k);
      };
      if (unroll)
        for (let k = 0; k < TK; k++) {
          out.push('    {');
          body(`${k}u`);
          out.push('    }');
        }
      else {
        out.push(`    for (var k = 0u; k < ${TK}u; k++) {`);
        body('k');
        out.push('    }');
      }
    } else {
      const body = (k4) => {
        for (let r = 0; r < TM; r++) {
          const row = `${Math.floor(r / 4) * rowStride}u + ty * 4u + ${r % 4}u`;
          out.push(`      let a${r} = As[${aBase} + (${row}) * ${TK / 4}u + ${k4}];`);
        }
        for (let j = 0; j < 4; j++) {
          out.push('      {');
          fmas((r) => `a${r}.${comp[j]}`, `(${k4} * 4u + ${j}u)`);
          out.push('      }');
        }
      };
      if (unroll)
        for (let k4 = 0; k4 < TK / 4; k4++) {
          out.push('    {');
          body(`${k4}u`);
          out.push('    }');
        }
      else {
        out.push(`    for (var k4 = 0u; k4 < ${TK / 4}u; k4++) {`);
        body('k4');
        out.push('    }');
      }
    }
    return out;
  };
  if (prefetch) {
    L.push(`  for (var t = 0u; t <= k_tiles; t++) {`);
    L.push(`    if (t < k_tiles) {`, ...fetch('t'), `    }`);
    L.push(`    if (t > 0u) {`);
    L.push(`    let ab = ((t - 1u) % 2u) * ${aVec4}u; let bb = ((t - 1u) % 2u) * ${bVec4}u;`);
    L.push(...multiply('ab', 'bb'), `    }`);
    L.push(`    if (t < k_tiles) {`);
    L.push(`    let sa = (t % 2u) * ${aVec4}u; let sb = (t % 2u) * ${bVec4}u;`);
    L.push(...stage('sa').map((s) => s.replace(/Bs\[sa/g, 'Bs[sb')), `    }`);
    L.push(`    workgroupBarrier();`, `  }`);
  } else {
    L.push(`  for (var t = 0u; t < k_tiles; t++) {`);
    L.push(
      ...fetch('t'),
      ...stage('0u'),
      `    workgroupBarrier();`,
      ...multiply('0u', '0u'),
      `    workgroupBarrier();`,
      `  }`,
    );
  }
  for (let r = 0; r < TM; r++) {
    const m = `row0 + ${Math.floor(r / 4) * rowStride}u + ty * 4u + ${r % 4}u`;
    for (let g = 0; g < CG; g++) {
      const n = `col0 + ${g * colStride}u + tx * 4u`;
      if (g4) L.push(`  C[((${m}) * d.N + ${n}) / 4u] = c${r}_${g};`);
      else for (let j = 0; j < 4; j++) L.push(`  C[(${m}) * d.N + ${n} + ${j}u] = c${r}_${g}[${j}];`);
    }
  }
  L.push('}');
  return { code: L.join('\n'), wg: [BN, BM] };
}

// The probe's simple 64x64 kernel (../shared/tools/webgpu-probe.cjs), as the baseline.
const PROBE = {
  code: `struct Dims { M: u32, N: u32, K: u32, pad: u32 };
  @group(0) @binding(0) var<storage, read> A: array<f32>;
  @group(0) @binding(1) var<storage, read> B: array<f32>;
  @group(0) @binding(2) var<storage, read_write> C: array<f32>;
  @group(0) @binding(3) var<uniform> d: Dims;
  var<workgroup> As: array<array<f32, 64>, 16>;
  var<workgroup> Bs: array<array<f32, 64>, 16>;
  @compute @workgroup_size(16, 16)
  fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
    let row0 = wg.y * 64u; let col0 = wg.x * 64u;
    var acc: array<array<f32, 4>, 4>;
    let tid = lid.y * 16u + lid.x;
    for (var k0 = 0u; k0 < d.K; k0 += 16u) {
      for (var l = 0u; l < 4u; l++) {
        let idx = tid + l * 256u;
        let r = idx / 16u; let kk = idx % 16u;
        As[kk][r] = A[(row0 + r) * d.K + k0 + kk];
        let kb = idx / 64u; let c = idx % 64u;
        Bs[kb][c] = B[(k0 + kb) * d.N + col0 + c];
      }
      workgroupBarrier();
      for (var kk = 0u; kk < 16u; kk++) {
        var a: array<f32, 4>; var b: array<f32, 4>;
        for (var t = 0u; t < 4u; t++) { a[t] = As[kk][lid.y * 4u + t]; b[t] = Bs[kk][lid.x * 4u + t]; }
        for (var y = 0u; y < 4u; y++) { for (var x = 0u; x < 4u; x++) { acc[y][x] = fma(a[y], b[x], acc[y][x]); } }
      }
      workgroupBarrier();
    }
    for (var y = 0u; y < 4u; y++) { for (var x = 0u; x < 4u; x++) {
      C[(row0 + lid.y * 4u + y) * d.N + col0 + lid.x * 4u + x] = acc[y][x]; } }
  }`,
  wg: [64, 64],
};

const base = { BM: 128, BN: 128, TM: 8, TN: 8, TK: 8, aLayout: 'k', g4: false, prefetch: true, unroll: false };
const VARIANTS = {
  probe64: null,
  shipped: 'shipped',
  k8: { ...base },
  m8: { ...base, aLayout: 'm' },
  m8g4: { ...base, aLayout: 'm', g4: true },
  k8g4: { ...base, g4: true },
  m16g4: { ...base, aLayout: 'm', g4: true, TK: 16 },
  m8g4u: { ...base, aLayout: 'm', g4: true, unroll: true },
  k8g4u: { ...base, g4: true, unroll: true },
  m16g4nopf: { ...base, aLayout: 'm', g4: true, TK: 16, prefetch: false },
  m8g4_128x64: { ...base, aLayout: 'm', g4: true, BN: 64 },
  m8g4_64x128: { ...base, aLayout: 'm', g4: true, BM: 64 },
  k8g4_64x128: { ...base, g4: true, BM: 64 },
  k16g4: { ...base, g4: true, TK: 16 },
  k16g4nopf: { ...base, g4: true, TK: 16, prefetch: false },
  m32g4nopf: { ...base, aLayout: 'm', g4: true, TK: 32, prefetch: false },
  m16g4_8x4: { ...base, aLayout: 'm', g4: true, BN: 64, TN: 4, TK: 16 },
  m8g4_128x256: { ...base, aLayout: 'm', g4: true, BN: 256, TN: 16 },
  m16g4_4x4: { ...base, aLayout: 'm', g4: true, BM: 64, BN: 64, TM: 4, TN: 4, TK: 16 },
  m16: { ...base, aLayout: 'm', TK: 16 },
  k16: { ...base, TK: 16 },
  m16nopf: { ...base, aLayout: 'm', TK: 16, prefetch: false },
  k16nopf: { ...base, TK: 16, prefetch: false },
  m8u: { ...base, aLayout: 'm', unroll: true },
  k8u: { ...base, unroll: true },
  m8_128x256: { ...base, aLayout: 'm', BN: 256, TN: 16 },
  k8_128x256: { ...base, BN: 256, TN: 16 },
  m8_128x64: { ...base, aLayout: 'm', BN: 64 },
  m8_64x128: { ...base, aLayout: 'm', BM: 64 },
  m16_8x4: { ...base, aLayout: 'm', BN: 64, TN: 4, TK: 16 },
};

// kernels/matmul_large.wgsl as shipped, or another file with its interface (--large FILE).
for (const file of largeFiles) {
  const name = file.replace(/^.*\//, '').replace(/\.wgsl$/, '');
  VARIANTS[name] = { file };
  if (Object.keys(largeConstants).length) VARIANTS[`${name}+const`] = { file, constants: largeConstants };
}

function shippedKernel(file) {
  const code = file
    ? readFileSync(file, 'utf8')
    : readFileSync(new URL('../kernels/matmul_large.wgsl', import.meta.url), 'utf8');
  return { code, wg: [128, 128], shipped: true };
}

const rand = (n, seed) => {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
};

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
async function bench(name, kernel, n) {
  const a = rand(n * n, 1),
    b = rand(n * n, 2);
  const mk = (size, usage) => device.createBuffer({ size, usage });
  const A = mk(n * n * 4, STORAGE),
    B = mk(n * n * 4, STORAGE),
    C = mk(n * n * 4, STORAGE);
  device.queue.writeBuffer(A, 0, a);
  device.queue.writeBuffer(B, 0, b);
  const U = mk(32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const extra = [];
  let entries;
  if (kernel.shipped) {
    device.queue.writeBuffer(U, 0, new Uint32Array([n, n, n, 0, 1, n, 0, 0]));
    const bias = mk(n * 4, STORAGE),
      partial = mk(16, STORAGE);
    extra.push(bias, partial);
    entries = [A, B, bias, C, U, partial];
  } else {
    device.queue.writeBuffer(U, 0, new Uint32Array([n, n, n, 0]));
    entries = [A, B, C, U];
  }
  gpuError = null;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: kernel.code });
  const pipe = await device
    .createComputePipelineAsync({
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: kernel.constants },
    })
    .catch((e) => e);
  const err = await device.popErrorScope();
  if (err || pipe instanceof Error) {
    const msgs = (await module.getCompilationInfo()).messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    console.log(
      JSON.stringify({
        variant: name,
        n,
        error: String(err?.message ?? pipe).slice(0, 300),
        compile: msgs.slice(0, 3),
      }),
    );
    return;
  }
  const bg = device.createBindGroup({
    layout: pipe.getBindGroupLayout(0),
    entries: entries.map((buf, k) => ({ binding: k, resource: { buffer: buf } })),
  });
  const run = (reps) => {
    const e = device.createCommandEncoder();
    const p = e.beginComputePass();
    p.setPipeline(pipe);
    p.setBindGroup(0, bg);
    for (let r = 0; r < reps; r++) p.dispatchWorkgroups(n / kernel.wg[0], n / kernel.wg[1]);
    p.end();
    device.queue.submit([e.finish()]);
  };
  run(2);
  await device.queue.onSubmittedWorkDone();
  const reps = Math.max(3, Math.min(200, Math.round(4e11 / (2 * n * n * n))));
  const times = [];
  for (let trial = 0; trial < 3; trial++) {
    const t0 = performance.now();
    run(reps);
    await device.queue.onSubmittedWorkDone();
    times.push((performance.now() - t0) / reps);
  }
  const ms = Math.min(...times);
  // check 64 sampled entries of C against a float64 dot product
  const rb = mk(n * n * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  const e = device.createCommandEncoder();
  e.copyBufferToBuffer(C, 0, rb, 0, n * n * 4);
  device.queue.submit([e.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const c = new Float32Array(rb.getMappedRange());
  let maxErr = 0;
  for (let s = 0; s < 64; s++) {
    const i = (s * 2654435761) % n,
      j = (s * 40503 + 7) % n;
    let ref = 0;
    for (let k = 0; k < n; k++) ref += a[i * n + k] * b[k * n + j];
    maxErr = Math.max(maxErr, Math.abs(ref - c[i * n + j]));
  }
  rb.unmap();
  [A, B, C, U, rb, ...extra].forEach((x) => x.destroy());
  console.log(
    JSON.stringify({
      variant: name,
      n,
      ms: +ms.toFixed(4),
      tflops: +((2 * n ** 3) / ms / 1e9).toFixed(2),
      maxErr: +maxErr.toExponential(2),
      ok: maxErr < 1e-3 * Math.sqrt(n),
      gpuError,
      toggles,
    }),
  );
}

for (const [name, v] of Object.entries(VARIANTS)) {
  if (only && !only.split(',').includes(name)) continue;
  let kernel;
  try {
    kernel = v === null ? PROBE : v === 'shipped' ? shippedKernel() : v.file ? shippedKernel(v.file) : generate(v);
    if (v?.constants) kernel.constants = v.constants;
  } catch (e) {
    console.log(JSON.stringify({ variant: name, error: e.message }));
    continue;
  }
  if (process.env.DUMP === name) console.error(kernel.code);
  for (const n of sizes) {
    if (n % kernel.wg[0] || n % kernel.wg[1]) continue;
    await bench(name, kernel, n);
  }
}
clearInterval(keepAlive);
process.exit(0);
