/**
 * The kernel editor's loop guard: a source transform that gives every loop of a WGSL module an
 * iteration bound, so an edited kernel with an endless loop ends quickly instead of holding the GPU
 * (on a software GPU a runaway shader can stop the whole browser painting).
 *
 * Each `loop`, `for` and `while` gets its own counter, declared at the top of its function (so it
 * counts every iteration of that loop in one invocation, however often the loop is entered) and
 * checked at the top of the loop's body: past the bound, the loop records its number in a guard
 * buffer and breaks. A counter is only read by its own loop's `if`, so a loop in uniform control
 * flow (one with barriers) stays uniform. Nothing is inserted on new lines: compiler messages keep
 * the user's line numbers. The guard buffer is one extra binding in its own bind group, which only
 * the guarded copy's pipeline layout has (see KernelRunner's `loopGuard` option).
 */

/** The bind group of the guard buffer: no kernel of the app uses any group but 0. */
export const LOOP_GUARD_GROUP = 1;
/** Bytes of the guard buffer: word 0 holds 1 + the number of the first loop that overran (0: none). */
export const LOOP_GUARD_BYTES = 16;
/**
 * The default bound, per loop and invocation. The built-in kernels' busiest loops stay far below
 * it on the editor's test and benchmark shapes (loopGuard.gpu.test.ts measures them), and it is
 * small enough that a runaway loop on a few thousand threads ends within moments.
 */
export const DEFAULT_LOOP_BOUND = 1 << 16;

const GUARD_NAME = 'gpulearn_loop_guard';
const COUNTER_PREFIX = 'gpulearn_loop_';

export interface GuardedLoop {
  /** 1-based line and column of the loop's keyword in the source. */
  line: number;
  column: number;
  keyword: 'loop' | 'for' | 'while';
}

export interface GuardedSource {
  /** The source with counters and checks added and the guard binding declared at the end. */
  source: string;
  /** Every loop found, in order; loop i records `firstLoopId + i + 1` in the guard buffer. */
  loops: GuardedLoop[];
  bound: number;
  /** Where this source's loop numbers start (a runner numbers the loops of all its sources apart). */
  firstLoopId: number;
}

interface Insertion {
  at: number;
  text: string;
}

/** Adds an iteration bound to every loop of `source` (see the file comment). Never throws. */
export function guardLoops(source: string, bound = DEFAULT_LOOP_BOUND, firstLoopId = 0): GuardedSource {
  const loops: GuardedLoop[] = [];
  const insertions: Insertion[] = [];
  const tokens = tokenize(source);
  /** Loop numbers per open function, with the offset just after its body's `{`. */
  let fn: { bodyAt: number; loops: number[]; entry: boolean } | null = null;
  // Without barriers, an entry point may return early once any thread overran, so the threads that
  // start after a runaway loop skip their work instead of each running the loop to its bound.
  // (With barriers that early return would break uniform control flow, so such kernels only
  // have the bound.)
  const canReturnEarly = !/\b(workgroupBarrier|storageBarrier|textureBarrier|workgroupUniformLoad)\b/.test(
    stripComments(source),
  );
  let entry = false;
  let fnDepth = -1;
  let depth = 0;
  let pendingFn = false;
  /** The keyword waiting for its body's `{`, and the paren depth its header must close to. */
  let pendingLoop: { index: number; parens: number } | null = null;
  let parens = 0;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === 'fn') {
      pendingFn = true;
      entry = isEntryPoint(tokens, i);
    } else if ((t.text === 'loop' || t.text === 'for' || t.text === 'while') && fn && !pendingLoop) {
      const index = loops.length;
      const { line, column } = lineColumn(source, t.start);
      loops.push({ line, column, keyword: t.text });
      fn.loops.push(index);
      pendingLoop = { index, parens };
    } else if (t.text === '(') parens++;
    else if (t.text === ')') parens--;
    else if (t.text === '{') {
      depth++;
      const after = t.start + 1;
      if (pendingFn && !fn) {
        fn = { bodyAt: after, loops: [], entry };
        fnDepth = depth;
        pendingFn = false;
      } else if (pendingLoop && parens === pendingLoop.parens) {
        const c = COUNTER_PREFIX + pendingLoop.index;
        insertions.push({
          at: after,
          text: ` if (${c} >= ${bound}u) { atomicMax(&${GUARD_NAME}[0], ${firstLoopId + pendingLoop.index + 1}u); break; } ${c} = ${c} + 1u;`,
        });
        pendingLoop = null;
      }
    } else if (t.text === '}') {
      if (fn && depth === fnDepth) {
        const early = fn.entry && canReturnEarly ? ` if (atomicLoad(&${GUARD_NAME}[0]) != 0u) { return; }` : '';
        const counters = fn.loops.map((n) => ` var ${COUNTER_PREFIX}${n}: u32 = 0u;`).join('');
        if (counters || early) insertions.push({ at: fn.bodyAt, text: early + counters });
        fn = null;
        fnDepth = -1;
      }
      depth--;
    }
  }

  // Insert from the end so earlier offsets stay valid (no two insertions share an offset: each
  // follows a different `{`).
  insertions.sort((a, b) => b.at - a.at);
  if (loops.length === 0) return { source, loops, bound, firstLoopId };
  let out = source;
  for (const ins of insertions) out = out.slice(0, ins.at) + ins.text + out.slice(ins.at);
  out +=
    `\n@group(${LOOP_GUARD_GROUP}) @binding(0) var<storage, read_write> ${GUARD_NAME}: ` +
    `array<atomic<u32>, ${LOOP_GUARD_BYTES / 4}>;\n`;
  return { source: out, loops, bound, firstLoopId };
}

/** The sentence for an overrun read back from the guard buffer (word 0), or null for none. */
export function loopOverrunMessage(guarded: GuardedSource, word: number): string | null {
  if (word === 0) return null;
  const loop = guarded.loops[word - guarded.firstLoopId - 1];
  const where = loop ? ` (the ${loop.keyword} at line ${loop.line})` : '';
  return (
    `A loop in your kernel did not finish${where}: it ran more than ${guarded.bound.toLocaleString('en-US')} ` +
    `times in one thread, so the test stopped it. Check that the loop's condition becomes false.`
  );
}

/** True when the `fn` at `tokens[at]` carries @compute (its attributes come after the last `;` or `}`). */
function isEntryPoint(tokens: Token[], at: number): boolean {
  for (let i = at - 1; i >= 0 && tokens[i].text !== ';' && tokens[i].text !== '}'; i--)
    if (tokens[i].text === 'compute') return true;
  return false;
}

function stripComments(source: string): string {
  return tokenize(source)
    .map((t) => t.text)
    .join(' ');
}

interface Token {
  text: string;
  start: number;
}

/**
 * Words and the punctuation that matters here ( ( ) { } ; ), skipping line comments and nested
 * block comments. WGSL has no string or character literals.
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i];
    if (ch === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (ch === '/' && source[i + 1] === '*') {
      let nesting = 1;
      i += 2;
      while (i < n && nesting > 0) {
        if (source[i] === '/' && source[i + 1] === '*') {
          nesting++;
          i += 2;
        } else if (source[i] === '*' && source[i + 1] === '/') {
          nesting--;
          i += 2;
        } else i++;
      }
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_]/.test(source[i])) i++;
      tokens.push({ text: source.slice(start, i), start });
    } else if (/[0-9]/.test(ch)) {
      // Numbers (with suffixes like 1u, 0x1fu, 1e-3f) are one word, never a keyword.
      while (i < n && /[0-9A-Za-z_.]/.test(source[i])) i++;
    } else {
      if ('(){};'.includes(ch)) tokens.push({ text: ch, start: i });
      i++;
    }
  }
  return tokens;
}

function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
