/**
 * Architecture rules, checked by `npm run deps:check` (part of `npm test`). See CONTRIBUTING.md.
 *
 * Known violations of a rule that the code cannot meet yet are listed in
 * .dependency-cruiser-known-violations.json (made with `npm run deps:baseline`); `deps:check`
 * ignores those and fails on any new one. Regenerate the baseline only when a change removes
 * violations, never to let a new one in.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'engine-imports-only-engine',
      severity: 'error',
      comment:
        'src/engine is pure TypeScript that runs in a Worker and in Node: it may import only other ' +
        'engine files and its WGSL kernels (kernels/*.wgsl). No app code, no npm packages (UI libraries ' +
        'included), no Node modules: pass what it needs in from the caller.',
      from: { path: '^src/engine/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^src/engine/', '^kernels/[^/]+\\.wgsl$'] },
    },
    {
      name: 'engine-tests-stay-out-of-the-app',
      severity: 'error',
      comment:
        "The engine's tests may use the test helpers in src/testing, Vitest and Node, but no app " +
        'code (ui, state, worker, config, data, viz): the engine is tested on its own.',
      from: { path: '^src/engine/.+\\.test\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(engine|testing)/' },
    },
    {
      name: 'state-does-not-import-ui',
      severity: 'error',
      comment: 'The store is the layer under the views: src/state must not import src/ui.',
      from: { path: '^src/state/' },
      to: { path: '^src/ui/' },
    },
    {
      name: 'only-the-training-bridge-talks-to-the-worker',
      severity: 'error',
      comment:
        'Only src/state/trainingBridge may use the Worker client (src/worker/client.ts): views ' +
        'and their helpers reach the Worker through the bridge.',
      from: {
        pathNot: ['^src/state/trainingBridge(\\.test)?\\.tsx?$', '^src/worker/client\\.test\\.ts$'],
      },
      to: { path: ['^src/worker/client\\.ts$'] },
    },
    {
      name: 'no-run-time-cycles',
      severity: 'error',
      comment:
        'Modules that import each other at run time load in an order that depends on who imports ' +
        'first. Cycles made only of `import type` vanish at compile time and are allowed for now.',
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'An import dependency-cruiser cannot resolve would hide its edges from every rule above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count as dependencies (marked `type-only`), so the rules see them too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
