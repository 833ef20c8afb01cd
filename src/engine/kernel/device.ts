/**
 * One GPU helper for the app, the Worker and Node tests alike: adapter and device acquisition,
 * error scopes, and device-lost handling. Pure: it takes a `GPU` object (navigator.gpu in a
 * browser, `create([])` from the npm package `webgpu` in Node) instead of reaching for globals.
 */

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as SwiftShader: slow, but correct. */
  isFallback: boolean;
  features: string[];
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupSizeX: number;
    maxComputeWorkgroupsPerDimension: number;
    maxStorageBuffersPerShaderStage: number;
  };
}

export interface GpuContext {
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
  /** Resolves when the device is lost (destroyed on purpose or by the driver). */
  lost: Promise<GPUDeviceLostInfo>;
  hasTimestamps: boolean;
}

export class WebGpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

/** Features we use when the adapter offers them; absent ones are simply not requested. */
const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'shader-f16', 'subgroups'];

/** Reads the adapter's name and the limits we care about into a plain, serialisable object. */
export function summariseAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const l = adapter.limits;
  const vendor = info?.vendor || 'unknown vendor';
  const architecture = info?.architecture || '';
  return {
    vendor,
    architecture,
    device: info?.device || '',
    description: info?.description || '',
    isFallback:
      Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter) ||
      /swiftshader/i.test(architecture + ' ' + (info?.description || '')),
    features: [...adapter.features].map(String).sort(),
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  };
}

/** A short human name such as "nvidia · hopper" or "google · swiftshader". */
export function adapterLabel(s: AdapterSummary): string {
  return [s.vendor, s.architecture, s.description].filter(Boolean).join(' · ');
}

/**
 * Requests an adapter and a device with the adapter's best limits for storage buffers and
 * workgroup memory. Throws WebGpuUnavailableError with a sentence a student can act on.
 */
export async function acquireGpu(
  gpu: GPU | undefined | null,
  options: { powerPreference?: GPUPowerPreference; label?: string } = {},
): Promise<GpuContext> {
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'This browser does not offer WebGPU. Use a recent Chrome, Edge or Safari (or Firefox with WebGPU enabled).',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'WebGPU is present but no GPU adapter is available (it may be blocked or disabled in this browser).',
    );
  }
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    label: options.label ?? 'playground',
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  return {
    adapter,
    device,
    summary: summariseAdapter(adapter),
    lost: device.lost,
    hasTimestamps: device.features.has('timestamp-query'),
  };
}

/**
 * Runs `work` inside validation and out-of-memory error scopes and throws the first GPU error
 * it raised, so a bad shader or an oversized buffer surfaces as an ordinary exception.
 */
export async function withErrorScopes<T>(device: GPUDevice, work: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  device.pushErrorScope('internal');
  let result: T | undefined;
  let workError: unknown = null;
  try {
    result = await work();
  } catch (e) {
    workError = e;
  }
  // Scopes must always be popped, even when the work threw, or later errors land in the wrong scope.
  const internal = await device.popErrorScope();
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const gpuError = validation ?? oom ?? internal;
  if (gpuError) throw new GpuError(gpuError.message, validation ? 'validation' : oom ? 'out-of-memory' : 'internal');
  if (workError) throw workError;
  return result as T;
}

export class GpuError extends Error {
  constructor(
    message: string,
    readonly kind: 'validation' | 'out-of-memory' | 'internal',
  ) {
    super(message);
    this.name = 'GpuError';
  }
}
