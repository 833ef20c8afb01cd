import { describe, expect, it } from 'vitest';
import { ALL_KERNELS } from '../ops';
import { guardLoops, loopOverrunMessage } from './loopGuard';

/** The check inserted at the top of loop number `n` (0-based). */
const check = (n: number, bound = 8) =>
  ` if (gpulearn_loop_${n} >= ${bound}u) { atomicMax(&gpulearn_loop_guard[0], ${n + 1}u); break; } gpulearn_loop_${n} = gpulearn_loop_${n} + 1u;`;

describe('the loop guard transform', () => {
  it('bounds a loop, a for and a while, declaring each counter at the top of the function', () => {
    const src = [
      'fn f(n: u32) -> u32 {',
      '  var s = 0u;',
      '  loop { s++; }',
      '  for (var i = 0u; i < n; i++) { s += i; }',
      '  while (s > (n + 1u)) { s--; }',
      '  return s;',
      '}',
    ].join('\n');
    const g = guardLoops(src, 8);
    expect(g.loops.map((l) => [l.keyword, l.line])).toEqual([
      ['loop', 3],
      ['for', 4],
      ['while', 5],
    ]);
    const lines = g.source.split('\n');
    expect(lines[0]).toBe(
      'fn f(n: u32) -> u32 { var gpulearn_loop_0: u32 = 0u; var gpulearn_loop_1: u32 = 0u; var gpulearn_loop_2: u32 = 0u;',
    );
    expect(lines[2]).toBe(`  loop {${check(0)} s++; }`);
    expect(lines[3]).toBe(`  for (var i = 0u; i < n; i++) {${check(1)} s += i; }`);
    expect(lines[4]).toBe(`  while (s > (n + 1u)) {${check(2)} s--; }`);
    expect(g.source).toContain('@group(1) @binding(0) var<storage, read_write> gpulearn_loop_guard');
  });

  it('keeps every original line on its line number, so compiler messages still point at the user\u2019s code', () => {
    for (const spec of ALL_KERNELS) {
      const original = spec.builtinSource.split('\n');
      const guarded = guardLoops(spec.builtinSource).source.split('\n');
      for (let i = 0; i < original.length; i++) {
        // Each guarded line is the original with text added after some `{`.
        const stripped = guarded[i]
          .replace(
            / if \(gpulearn_loop_\d+ >= \d+u\) \{ atomicMax\(&gpulearn_loop_guard\[0\], \d+u\); break; \} gpulearn_loop_\d+ = gpulearn_loop_\d+ \+ 1u;/g,
            '',
          )
          .replace(/ var gpulearn_loop_\d+: u32 = 0u;/g, '')
          .replace(' if (atomicLoad(&gpulearn_loop_guard[0]) != 0u) { return; }', '');
        expect(stripped, `${spec.file} line ${i + 1}`).toBe(original[i]);
      }
    }
  });

  it('guards nested loops separately and leaves a continuing block alone', () => {
    const src = `fn g() {
  var i = 0u;
  loop {
    for (var j = 0u; j < 4u; j++) { if (j == 2u) { continue; } }
    continuing { i++; break if i > 3u; }
  }
}`;
    const g = guardLoops(src, 8);
    expect(g.loops).toHaveLength(2);
    expect(g.source).toContain(`loop {${check(0)}`);
    expect(g.source).toContain(`j++) {${check(1)} if (j == 2u)`);
    expect(g.source).toContain('continuing { i++; break if i > 3u; }');
  });

  it('ignores loop keywords in line comments, nested block comments and longer names', () => {
    const src = `// for (;;) { never }
/* a block /* nested for { */ while { still a comment */
fn floor_while_loop(forward: f32) -> f32 { let loops = forward; return loops; }
fn h() { for (var k = 0; k < 2; k++) { /* } loop { */ } }`;
    const g = guardLoops(src, 8);
    expect(g.loops).toEqual([{ keyword: 'for', line: 4, column: 10 }]);
    expect(g.source).toContain(`k++) {${check(0)} /* } loop { */ } }`);
    expect(g.source).toContain('fn floor_while_loop(forward: f32) -> f32 { let loops');
  });

  it('finds the body of a for whose header has parentheses, and a while whose condition does', () => {
    const g = guardLoops('fn k() { for (var i = min(1, (2)); i < max(3, 4); i += (1)) { } while ((true)) { } }', 5);
    expect(g.source).toContain(`i += (1)) {${check(0, 5)} }`);
    expect(g.source).toContain(`while ((true)) {${check(1, 5)} }`);
  });

  it('guards the loops of every function, each with its own counters', () => {
    const g = guardLoops('fn a() { loop { break; } }\nfn b() { loop { break; } }', 3);
    expect(g.source).toContain('fn a() { var gpulearn_loop_0: u32 = 0u; loop {');
    expect(g.source).toContain('fn b() { var gpulearn_loop_1: u32 = 0u; loop {');
  });

  it('lets an entry point without barriers return at once after an overrun, but not one with barriers', () => {
    const early = ' if (atomicLoad(&gpulearn_loop_guard[0]) != 0u) { return; }';
    const plain = guardLoops('@compute @workgroup_size(64)\nfn main() { loop { } }\nfn helper() { loop { } }', 4);
    expect(plain.source).toContain(`fn main() {${early} var gpulearn_loop_0`);
    expect(plain.source).toContain('fn helper() { var gpulearn_loop_1');
    const tiled = guardLoops('@compute @workgroup_size(64) fn main() { loop { workgroupBarrier(); } }', 4);
    expect(tiled.source).not.toContain(early);
  });

  it('numbers the loops of several sources apart, so an overrun names the loop of the right source', () => {
    const first = guardLoops('fn a() { loop { } loop { } }', 8);
    const second = guardLoops('fn b() {\n  while (true) { }\n}', 8, first.loops.length);
    expect(second.source).toContain('atomicMax(&gpulearn_loop_guard[0], 3u)');
    expect(loopOverrunMessage(second, 3)).toMatch(/^A loop in your kernel did not finish \(the while at line 2\)/);
  });

  it('leaves a module without loops unchanged', () => {
    const src = '@compute @workgroup_size(1) fn main() { let x = 1u; }';
    expect(guardLoops(src).source).toBe(src);
  });

  it('names the loop that overran, with its line and the bound', () => {
    const g = guardLoops('fn a() {\n  for (;;) { }\n}', 1 << 16);
    expect(loopOverrunMessage(g, 0)).toBeNull();
    expect(loopOverrunMessage(g, 1)).toBe(
      'A loop in your kernel did not finish (the for at line 2): it ran more than 65,536 times in one thread, so the test stopped it. Check that the loop\u2019s condition becomes false.'.replace(
        '\u2019',
        "'",
      ),
    );
  });
});
