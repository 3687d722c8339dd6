/** Dataset API of the compute core: parsers, prepared-shard format, synthetic data, batching. */
export * from './batch';
export * from './partial';
export * from './source';
export * from './synthetic';
export * from './formats';
export * from './gzip';
export * from './tar';
export * from './cifar10';
export * from './mat';
export * from './svhn';
