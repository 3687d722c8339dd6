export {
  registerWasmKernels,
  missingKernels,
  TRAINING_KERNELS,
  conv2dBackpropFilterViaConv,
  conv2dBackpropFilterIm2col,
  conv2dBackpropFilterGemm,
  conv2dBackpropFilterSimd,
  FILTER_GRAD_IMPLS,
  conv2dBackpropInputViaConv,
  setFilterGradImpl,
  filterGradImplName,
  filterGradCalls,
} from './wasm-kernels';
export type { FilterGradImpl } from './wasm-kernels';
export { simdFilterGradUnavailable, simdFilterGradCalls } from './filter-grad-simd';
export {
  instanceNormAct,
  instanceNormActOps,
  setFusedOps,
  fusedOpsActive,
  fusedOpsEnabled,
  registerFusedKernels,
} from './fused';
export type { NormActOptions } from './fused';
export { selectBackend, webgpuUnavailable, webglRenderer, BACKEND_ORDER } from './select';
export type { BackendCheck, BackendPreference, BackendName, SelfCheck, SelectOptions, SelectResult } from './select';
export {
  setupWebGPU,
  tuneWebGPU,
  webgpuFailure,
  onWebGPUFailure,
  describeAdapter,
  softwareAdapterReason,
  setAddNChunking,
  setWebGPUFilterGrad,
  setWebGPUNaiveTranspose,
  webgpuAdapterName,
  muteWebGPUFailures,
  reportWebGPUFailure,
} from './webgpu';
export type { TuneResult, GpuAdapterLike } from './webgpu';
export { diagnoseWebGPU, provokeWebGPUError } from './webgpu-diag';
export type { WebGPUDiagnosis } from './webgpu-diag';
