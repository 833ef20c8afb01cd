/**
 * Reads the top-level functions out of WGSL source, for tests that compare the helpers copied
 * between kernels. WGSL has no include, and the kernel editor shows one file, so a helper such as
 * the dropout hash is copied into every kernel that needs it; these functions let a test prove the
 * copies have not drifted apart.
 */

export interface WgslFunction {
  name: string;
  /** The whole definition, signature and body, with comments removed and whitespace normalised. */
  normalised: string;
  /** True for a shader entry point (`@compute`, `@vertex` or `@fragment` before the `fn`). */
  entryPoint: boolean;
}

/** Removes `//` line comments and (nestable) block comments, keeping line breaks. */
export function stripWgslComments(source: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const two = source.slice(i, i + 2);
    if (two === '/*') {
      depth++;
      i++;
    } else if (depth > 0 && two === '*/') {
      depth--;
      i++;
    } else if (depth > 0) {
      if (source[i] === '\n') out += '\n';
    } else if (two === '//') {
      while (i < source.length && source[i] !== '\n') i++;
      out += '\n';
    } else {
      out += source[i];
    }
  }
  if (depth > 0) throw new Error('WGSL source has an unclosed block comment.');
  return out;
}

/**
 * Collapses whitespace: none around punctuation, one space between words. Two definitions that
 * differ only in layout (line breaks, indentation, spaces around operators) normalise the same.
 */
export function normaliseWgsl(code: string): string {
  return code
    .replace(/\s+/g, ' ')
    .replace(/\s*([^\w\s])\s*/g, '$1')
    .trim();
}

/** Every function defined at the top level of `source`, in order of definition. */
export function extractWgslFunctions(source: string): WgslFunction[] {
  const code = stripWgslComments(source);
  const found: WgslFunction[] = [];
  let depth = 0;
  let declarationStart = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (depth < 0) throw new Error('WGSL source has an unmatched closing brace.');
    if (depth === 0 && (c === ';' || c === '}')) declarationStart = i + 1;
    if (depth !== 0 || !/\bfn\s/y.test(code.slice(i, i + 3)) || /\w/.test(code[i - 1] ?? '')) continue;
    const header = /^fn\s+(\w+)\s*\(/.exec(code.slice(i));
    if (!header) continue;
    const open = code.indexOf('{', i);
    if (open < 0) throw new Error(`WGSL function ${header[1]} has no body.`);
    let end = open;
    for (let inner = 0; end < code.length; end++) {
      if (code[end] === '{') inner++;
      else if (code[end] === '}' && --inner === 0) break;
    }
    if (end >= code.length) throw new Error(`WGSL function ${header[1]} has no closing brace.`);
    const attributes = code.slice(declarationStart, i);
    found.push({
      name: header[1],
      normalised: normaliseWgsl(code.slice(i, end + 1)),
      entryPoint: /@(compute|vertex|fragment)\b/.test(attributes),
    });
    i = end;
    declarationStart = end + 1;
  }
  if (depth !== 0) throw new Error('WGSL source has an unclosed brace.');
  return found;
}

export interface HelperCopies {
  name: string;
  /** The files that define a function of this name. */
  files: string[];
  /** True when every copy normalises to the same text. */
  identical: boolean;
  /** The distinct normalised definitions, each with the files that hold it. */
  variants: { normalised: string; files: string[] }[];
}

/** Groups the non-entry-point functions of `files` (file name → source) by name, where more than one file defines it. */
export function sharedWgslHelpers(files: Record<string, string>): HelperCopies[] {
  const byName = new Map<string, Map<string, string[]>>();
  for (const [file, source] of Object.entries(files)) {
    for (const fn of extractWgslFunctions(source)) {
      if (fn.entryPoint) continue;
      const variants = byName.get(fn.name) ?? new Map<string, string[]>();
      variants.set(fn.normalised, [...(variants.get(fn.normalised) ?? []), file]);
      byName.set(fn.name, variants);
    }
  }
  const shared: HelperCopies[] = [];
  for (const [name, variants] of byName) {
    const list = [...variants].map(([normalised, holders]) => ({ normalised, files: holders.sort() }));
    const holders = list.flatMap((v) => v.files).sort();
    if (holders.length < 2) continue;
    shared.push({ name, files: holders, identical: list.length === 1, variants: list });
  }
  return shared.sort((a, b) => a.name.localeCompare(b.name));
}
