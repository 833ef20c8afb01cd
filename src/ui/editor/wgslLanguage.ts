/**
 * WGSL syntax highlighting for Monaco: a Monarch tokenizer (keywords, types, attributes such as
 * @compute and @workgroup_size, built-in functions, comments, numbers) and the language's
 * brackets and comment markers. Plain data, so it loads without Monaco and costs nothing until
 * the editor chunk registers it.
 */

export const WGSL_LANGUAGE_ID = 'wgsl';

const keywords = [
  'alias', 'break', 'case', 'const', 'const_assert', 'continue', 'continuing', 'default', 'diagnostic', 'discard',
  'else', 'enable', 'false', 'fn', 'for', 'if', 'let', 'loop', 'override', 'requires', 'return', 'struct', 'switch',
  'true', 'var', 'while',
];

const typeKeywords = [
  'bool', 'f16', 'f32', 'i32', 'u32', 'vec2', 'vec3', 'vec4', 'vec2f', 'vec3f', 'vec4f', 'vec2i', 'vec3i', 'vec4i',
  'vec2u', 'vec3u', 'vec4u', 'vec2h', 'vec3h', 'vec4h', 'mat2x2', 'mat2x3', 'mat2x4', 'mat3x2', 'mat3x3', 'mat3x4',
  'mat4x2', 'mat4x3', 'mat4x4', 'mat2x2f', 'mat3x3f', 'mat4x4f', 'array', 'atomic', 'ptr', 'sampler',
  'sampler_comparison', 'texture_1d', 'texture_2d', 'texture_2d_array', 'texture_3d', 'texture_cube',
  'texture_storage_2d', 'texture_depth_2d',
  // Address spaces and access modes, as they appear in var<storage, read_write>.
  'function', 'private', 'workgroup', 'uniform', 'storage', 'read', 'write', 'read_write',
];

const builtinFunctions = [
  'abs', 'acos', 'all', 'any', 'arrayLength', 'asin', 'atan', 'atan2', 'atomicAdd', 'atomicAnd', 'atomicCompareExchangeWeak',
  'atomicExchange', 'atomicLoad', 'atomicMax', 'atomicMin', 'atomicOr', 'atomicStore', 'atomicSub', 'atomicXor',
  'bitcast', 'ceil', 'clamp', 'cos', 'cosh', 'countOneBits', 'cross', 'degrees', 'determinant', 'distance', 'dot',
  'exp', 'exp2', 'extractBits', 'faceForward', 'firstLeadingBit', 'firstTrailingBit', 'floor', 'fma', 'fract', 'frexp',
  'insertBits', 'inverseSqrt', 'ldexp', 'length', 'log', 'log2', 'max', 'min', 'mix', 'modf', 'normalize', 'pack2x16float',
  'pow', 'radians', 'reflect', 'refract', 'reverseBits', 'round', 'saturate', 'select', 'sign', 'sin', 'sinh',
  'smoothstep', 'sqrt', 'step', 'storageBarrier', 'tan', 'tanh', 'transpose', 'trunc', 'unpack2x16float',
  'workgroupBarrier', 'workgroupUniformLoad', 'textureLoad', 'textureStore', 'textureDimensions',
];

/** Monarch rules (typed loosely so this file needs no Monaco types). */
export const wgslMonarch = {
  defaultToken: '',
  keywords,
  typeKeywords,
  builtinFunctions,
  operators: ['=', '>', '<', '!', '~', '?', ':', '==', '<=', '>=', '!=', '&&', '||', '++', '--', '+', '-', '*', '/', '&', '|', '^', '%', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '->'],
  symbols: /[=><!~?:&|+\-*/^%]+/,
  tokenizer: {
    root: [
      // @compute, @workgroup_size(...), @group(0), @binding(1), @builtin(global_invocation_id)
      [/@[a-zA-Z_]\w*/, 'annotation'],
      [/[a-zA-Z_]\w*(?=\s*\()/, { cases: { '@builtinFunctions': 'predefined', '@typeKeywords': 'type', '@keywords': 'keyword', '@default': 'identifier.function' } }],
      [/[a-zA-Z_]\w*/, { cases: { '@keywords': 'keyword', '@typeKeywords': 'type', '@default': 'identifier' } }],
      { include: '@whitespace' },
      [/[{}()[\]]/, '@brackets'],
      [/@symbols/, { cases: { '@operators': 'operator', '@default': '' } }],
      // Numbers: hex, floats with exponent or suffix, integers with u/i suffix.
      [/0[xX][0-9a-fA-F]+[iu]?/, 'number.hex'],
      [/(\d+\.\d*|\.\d+)([eE][+-]?\d+)?[fh]?/, 'number.float'],
      [/\d+[eE][+-]?\d+[fh]?/, 'number.float'],
      [/\d+[fh]/, 'number.float'],
      [/\d+[iu]?/, 'number'],
      [/[;,.]/, 'delimiter'],
    ],
    whitespace: [
      [/[ \t\r\n]+/, ''],
      [/\/\*/, 'comment', '@comment'],
      [/\/\/.*$/, 'comment'],
    ],
    comment: [
      [/[^/*]+/, 'comment'],
      [/\/\*/, 'comment', '@push'],
      [/\*\//, 'comment', '@pop'],
      [/[/*]/, 'comment'],
    ],
  },
};

export const wgslLanguageConfiguration = {
  comments: { lineComment: '//', blockComment: ['/*', '*/'] as [string, string] },
  brackets: [['{', '}'], ['[', ']'], ['(', ')']] as [string, string][],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
  ],
  surroundingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
  ],
};
