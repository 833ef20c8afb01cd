/**
 * WebGPU for Node tests and benchmarks through the npm package `webgpu` (Dawn).
 * On a CPU-only machine Dawn needs a Vulkan driver: Chromium ships SwiftShader's, so we point
 * Vulkan at it unless the caller chose a driver already.
 */
import { existsSync } from 'node:fs';
import { acquireGpu, type GpuContext } from '../engine/kernel/device';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let cached: Promise<GpuContext | null> | null = null;
export let noGpuReason = '';

/** Loads dawn.node, fills in WebGPU globals (GPUBufferUsage, ...) and returns a fresh `GPU`. */
export async function createNodeGpu(): Promise<GPU> {
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]) as unknown as GPU;
  // If V8 collects Dawn's instance while a device lives, dawn.node aborts the process at random
  // ("futex facility returned an unexpected error code"). A global reference keeps it alive.
  (globalThis as { __dawnInstances?: GPU[] }).__dawnInstances ??= [];
  (globalThis as { __dawnInstances?: GPU[] }).__dawnInstances!.push(gpu);
  return gpu;
}

/**
 * One shared device per test process, or null with `noGpuReason` set when no adapter exists.
 * In CI (CI=true) a missing adapter is an error, so the GPU tests can never silently skip there.
 */
export function nodeGpu(): Promise<GpuContext | null> {
  cached ??= (async () => {
    try {
      return await acquireGpu(await createNodeGpu(), { label: 'node-test' });
    } catch (e) {
      noGpuReason =
        `No WebGPU adapter in Node (${(e as Error).message}). Install Debian's chromium and libvulkan1 ` +
        `(apt-get install chromium libvulkan1) so Dawn can use SwiftShader.`;
      if (process.env.CI) throw new Error(noGpuReason);
      console.warn(`[skipped GPU tests] ${noGpuReason}`);
      return null;
    }
  })();
  return cached;
}
