export { registerWasmKernels, missingKernels, TRAINING_KERNELS, conv2dBackpropFilterViaConv, conv2dBackpropInputViaConv } from './wasm-kernels';
