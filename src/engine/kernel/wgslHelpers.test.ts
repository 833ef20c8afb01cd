import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractWgslFunctions, sharedWgslHelpers, stripWgslComments } from '../../testing/wgslFunctions';

// WGSL has no include and the kernel editor shows one file per kernel, so helpers are copied
// between kernels. Every copy must stay the same text, or two kernels that should draw the same
// dropout mask (or round a division the same way) silently stop agreeing.

const kernelDir = new URL('../../../kernels/', import.meta.url);
// The shipped kernels only: kernels/challenges/ holds deliberately weak or buggy starting texts.
const kernelFiles = Object.fromEntries(
  readdirSync(kernelDir)
    .filter((name) => name.endsWith('.wgsl'))
    .map((name) => [name, readFileSync(new URL(name, kernelDir), 'utf8')]),
);

/**
 * Helpers that share a name but are not copies: each is its own kernel's loader or writer, shaped
 * by that kernel's bindings and index layout. Renaming them would only make the kernels harder to
 * read side by side.
 */
const SAME_NAME_DIFFERENT_JOB: Record<string, string> = {
  load_dy: "each backward convolution reads dy in its own GEMM's row/column order",
  load_w: 'the forward pass reads weights as a [outC, inC·k·k] matrix, the input gradient flips the kernel',
  load_x: 'the forward pass gathers image taps, the weight gradient also emits the bias column of ones',
  write4: 'the forward pass adds bias, accumulates and applies ReLU; the input gradient writes or adds into dx',
};

describe('WGSL helpers copied between kernels', () => {
  const shared = sharedWgslHelpers(kernelFiles);

  it('finds the known copies: the dropout hash in 4 kernels and div_rn in 2', () => {
    const filesOf = (name: string) => shared.find((h) => h.name === name)?.files;
    const dropoutKernels = [
      'conv2d_forward_large.wgsl',
      'dropout_forward.wgsl',
      'matmul_reduce.wgsl',
      'maxpool_forward.wgsl',
    ];
    for (const name of ['pcg_hash', 'random_u32', 'random_uniform', 'dropout_stream'])
      expect(filesOf(name)).toEqual(dropoutKernels);
    expect(filesOf('div_rn')).toEqual(['gather_batch.wgsl', 'optimizer.wgsl']);
  });

  it.each(shared.filter((h) => !(h.name in SAME_NAME_DIFFERENT_JOB)).map((h) => [h.name, h] as const))(
    'keeps every copy of %s identical',
    (_, helper) => {
      // On failure this shows which files hold which version of the helper.
      expect(helper.variants.map((v) => v.files)).toEqual([helper.files]);
    },
  );

  it('lists only helpers that really are shared and really differ as "same name, different job"', () => {
    for (const name of Object.keys(SAME_NAME_DIFFERENT_JOB)) {
      const helper = shared.find((h) => h.name === name);
      expect(helper, `${name} is no longer defined in two kernels: drop it from the list`).toBeDefined();
      expect(helper!.identical, `${name}'s definitions are now identical: drop it from the list`).toBe(false);
    }
  });
});

describe('the WGSL function extractor', () => {
  const hashA = `
    // The PCG hash.
    fn pcg_hash(input: u32) -> u32 {
      let state = input * 747796405u + 2891336453u;
      return state; /* { a brace in a comment } */
    }
    @compute @workgroup_size(64)
    fn main(@builtin(global_invocation_id) gid: vec3<u32>) { if (gid.x > 0u) { out[0] = pcg_hash(gid.x); } }
  `;

  it('reports a one-character difference between two copies of a helper', () => {
    const hashB = hashA.replace('747796405u', '747796406u');
    const [helper] = sharedWgslHelpers({ 'a.wgsl': hashA, 'b.wgsl': hashB });
    expect(helper.name).toBe('pcg_hash');
    expect(helper.identical).toBe(false);
    expect(helper.variants.map((v) => v.files)).toEqual([['a.wgsl'], ['b.wgsl']]);
  });

  it('treats copies that differ only in comments, line breaks and spacing as identical', () => {
    const relaid = `fn pcg_hash(input:u32)->u32{
      let state=input*747796405u+2891336453u; // same sum
      return   state;}`;
    const [helper] = sharedWgslHelpers({ 'a.wgsl': hashA, 'b.wgsl': relaid });
    expect(helper.identical).toBe(true);
    expect(helper.files).toEqual(['a.wgsl', 'b.wgsl']);
  });

  it('keeps the space between words, so `let x` and `letx` differ', () => {
    const [helper] = sharedWgslHelpers({
      'a.wgsl': 'fn f() -> u32 { let x = 1u; return x; }',
      'b.wgsl': 'fn f() -> u32 { letx = 1u; return x; }',
    });
    expect(helper.identical).toBe(false);
  });

  it('reads whole bodies through nested braces and marks entry points', () => {
    const fns = extractWgslFunctions(hashA);
    expect(fns.map((f) => [f.name, f.entryPoint])).toEqual([
      ['pcg_hash', false],
      ['main', true],
    ]);
    expect(fns[1].normalised.endsWith('{if(gid.x>0u){out[0]=pcg_hash(gid.x);}}')).toBe(true);
    expect(fns[0].normalised).not.toContain('brace in a comment');
  });

  it('ignores functions named only in comments and strips nested block comments', () => {
    expect(extractWgslFunctions('// fn ghost() {}\n/* outer /* fn inner() {} */ still */ fn real() {}')).toEqual([
      { name: 'real', normalised: 'fn real(){}', entryPoint: false },
    ]);
    expect(stripWgslComments('a /* b /* c */ d */ e')).toBe('a  e');
  });

  it('refuses unbalanced source instead of guessing', () => {
    expect(() => extractWgslFunctions('fn f() { let x = 1;')).toThrow(/closing brace/);
    expect(() => extractWgslFunctions('fn f() {} }')).toThrow(/unmatched/);
    expect(() => stripWgslComments('fn f() {} /* open')).toThrow(/unclosed block comment/);
  });
});
