/**
 * Loads Dawn's Node binding (dawn.node) and installs the WebGPU globals (GPUBufferUsage, ...) and
 * `navigator.gpu`, so both our engine and TF.js's WebGPU backend find a GPU. The bundled benchmark
 * must also run where node_modules does not exist (the device machine): set DAWN_NODE to the path
 * of a dawn.node file there. Otherwise the copy inside the npm package `webgpu` is used.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

/** Where dawn.node is: $DAWN_NODE, else node_modules/webgpu/dist/<platform>-<arch>/dawn.node. */
export function dawnNodePath(): string {
  const fromEnv = process.env.DAWN_NODE;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`DAWN_NODE=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const require = createRequire(join(process.cwd(), 'package.json'));
  let pkg: string;
  try {
    pkg = require.resolve('webgpu/package.json');
  } catch {
    throw new Error('Cannot find dawn.node: install the npm package `webgpu`, or set DAWN_NODE=/path/to/dawn.node.');
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return join(dirname(pkg), 'dist', `${process.platform}-${arch}`, 'dawn.node');
}

/**
 * Creates Dawn's GPU object once per process, installs the globals and navigator.gpu, and keeps
 * the instance reachable from globalThis: if V8 collects it while a device lives, dawn.node aborts
 * the process at random ("futex facility returned an unexpected error code").
 */
export function installDawn(): { gpu: GPU; path: string } {
  const g = globalThis as { __benchDawn?: { gpu: GPU; path: string }; navigator?: { gpu?: GPU } };
  if (g.__benchDawn) return g.__benchDawn;
  // On a machine without a GPU, point Vulkan at Chromium's SwiftShader (unless a driver was chosen).
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const path = dawnNodePath();
  const require = createRequire(join(process.cwd(), 'package.json'));
  const dawn = require(path) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 20 has no navigator; TF.js's WebGPU backend looks for navigator.gpu when it loads.
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  g.__benchDawn = { gpu, path };
  return g.__benchDawn;
}
