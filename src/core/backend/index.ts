export { registerWasmKernels, missingKernels, TRAINING_KERNELS, conv2dBackpropFilterViaConv, conv2dBackpropFilterIm2col, conv2dBackpropInputViaConv, setFilterGradImpl } from './wasm-kernels';
export { instanceNormAct, instanceNormActOps, setFusedOps, fusedOpsActive, fusedOpsEnabled, registerFusedKernels } from './fused';
export type { NormActOptions } from './fused';
export { selectBackend, selfCheck, webgpuUnavailable, webglRenderer, BACKEND_ORDER } from './select';
export {
  setupWebGPU, tuneWebGPU, webgpuFailure, onWebGPUFailure, describeAdapter, softwareAdapterReason, setAddNChunking,
  setWebGPUFilterGrad, setWebGPUNaiveTranspose, webgpuAdapterName,
} from './webgpu';
export type { TuneResult } from './webgpu';
export type { BackendPreference, BackendName, SelfCheck, SelectOptions, SelectResult } from './select';
