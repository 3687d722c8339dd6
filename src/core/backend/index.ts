export { registerWasmKernels, missingKernels, TRAINING_KERNELS, conv2dBackpropFilterViaConv, conv2dBackpropInputViaConv } from './wasm-kernels';
export { selectBackend, selfCheck, webgpuUnavailable, webglRenderer, BACKEND_ORDER } from './select';
export type { BackendPreference, BackendName, SelfCheck, SelectOptions, SelectResult } from './select';
