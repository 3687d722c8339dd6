/** Data-parallel training (see engine.ts): the worker protocol, the pool, the engine and the shard worker. */
export { ParallelTrainer, hostGroup, withPenalty } from './engine';
export type { EngineResult, HostGroup } from './engine';
export { WorkerPool } from './pool';
export type { ShardPort } from './pool';
export { ShardWorker } from './shard-worker';
export { transferables, shardRange, sumInOrder, defaultWorkerCount, parseWorkerCount } from './protocol';
export type { ShardGroup, ToWorker, FromWorker, StepReply } from './protocol';
