/**
 * WebGPU in Node through the npm package `webgpu` (Dawn's dawn.node, prebuilt for linux-x64 / arm64, macOS,
 * Windows inside the package; no download at install). `navigator.gpu` is provided before tfjs' WebGPU backend is
 * imported; the lab's own backend factory (src/core/backend/webgpu.ts) then creates the device with the limits the
 * backend needs and refuses software adapters by adapter info. Every failure is one line starting with
 * "no GPU adapter".
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LabError, describeAdapter, softwareAdapterReason, type GpuAdapterLike } from '../core';

const WHERE = 'webgpu (node)';

/** Whether a software adapter (llvmpipe, lavapipe, SwiftShader) may be used: LAB_ALLOW_SOFTWARE_GPU=1 (tests). */
export function allowSoftwareGpu(): boolean {
  return process.env.LAB_ALLOW_SOFTWARE_GPU === '1';
}

/**
 * On Linux Dawn reaches the GPU through Vulkan: the host's loader libvulkan.so.1 must be present. Returns a
 * sentence saying what is missing, or null (also on other systems).
 */
export function vulkanLoaderProblem(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (/libvulkan\.so\.1\b/.test(out)) return null;
  } catch {
    /* no ldconfig: look in the usual folders */
  }
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/lib64',
  ];
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return null;
  return (
    "the host's Vulkan loader libvulkan.so.1 is missing (Dawn uses Vulkan on Linux: install the GPU driver's " +
    'Vulkan support and the loader, e.g. Debian/Ubuntu `libvulkan1`; in a container also ' +
    'NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics)'
  );
}

type DawnModule = { create(flags: string[]): unknown; globals: Record<string, unknown> };

let provided: Promise<void> | null = null;

/** Load dawn.node and set `globalThis.navigator.gpu` (and the WebGPU globals tfjs uses). Idempotent. */
export function provideNavigatorGpu(): Promise<void> {
  provided ??= (async () => {
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (g.navigator?.gpu) return;
    let mod: DawnModule;
    try {
      mod = (await import('webgpu')) as unknown as DawnModule;
    } catch (e) {
      const why = (e as Error).message.split('\n')[0];
      throw new LabError(`no GPU adapter: the npm package "webgpu" (Dawn) did not load (${why})`, WHERE);
    }
    Object.assign(globalThis, mod.globals);
    // LAB_DAWN_FLAGS: Dawn options, comma-separated (e.g. "backend=vulkan,adapter=NVIDIA H100")
    const flags = (process.env.LAB_DAWN_FLAGS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const gpu = mod.create(flags);
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  })();
  return provided;
}

export interface NodeGpuAdapter {
  name: string;
  software: string | null;
  limits: Record<string, number>;
}

/**
 * Find the GPU adapter Dawn offers, or throw one line starting with "no GPU adapter" saying why (no Vulkan loader,
 * no adapter, only a software one).
 */
export async function findNodeGpuAdapter(allowSoftware = allowSoftwareGpu()): Promise<NodeGpuAdapter> {
  // without the Vulkan loader Dawn (Linux) finds nothing: say so before loading it (it would only print a warning)
  const vk = (process.env.LAB_DAWN_FLAGS ?? '').includes('backend=') ? null : vulkanLoaderProblem();
  if (vk) throw new LabError(`no GPU adapter: ${vk}`, WHERE);
  await provideNavigatorGpu();
  const gpu = (globalThis as { navigator: { gpu: { requestAdapter(o?: unknown): Promise<GpuAdapterLike | null> } } })
    .navigator.gpu;
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new LabError(`no GPU adapter: requestAdapter failed (${(e as Error).message})`, WHERE);
  }
  if (!adapter) {
    const vk = vulkanLoaderProblem();
    const why = vk ?? 'Dawn found no adapter (is a GPU driver with Vulkan support installed?)';
    throw new LabError(`no GPU adapter: ${why}`, WHERE);
  }
  const software = softwareAdapterReason(adapter);
  if (software && !allowSoftware) {
    const why = `only a ${software}, refused (LAB_ALLOW_SOFTWARE_GPU=1 allows it for tests)`;
    throw new LabError(`no GPU adapter: ${why}`, WHERE);
  }
  const limits: Record<string, number> = {};
  for (const k of ['maxStorageBuffersPerShaderStage', 'maxBufferSize', 'maxStorageBufferBindingSize']) {
    const v = adapter.limits?.[k];
    if (typeof v === 'number') limits[k] = v;
  }
  return { name: describeAdapter(adapter), software, limits };
}
