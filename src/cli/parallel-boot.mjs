// Bootstrap of a Node shard worker: registers tsx (TypeScript) in this thread, then loads the worker's entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
