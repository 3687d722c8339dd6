/**
 * The app store's shape: the union of its slices (one file each in this folder, composed in index.ts). A slice
 * reads and calls the others through `get()`; only the worker slice talks to the worker.
 */
import type { StateCreator } from 'zustand';
import type { HistorySlice } from './history';
import type { LiveSlice } from './live';
import type { NoticesSlice } from './notices';
import type { ReproduceSlice } from './reproduce';
import type { RunSlice } from './run';
import type { RunsSlice } from './runs';
import type { SettingsSlice } from './settings';
import type { WorkerSlice } from './worker';

export type LabState = SettingsSlice &
  WorkerSlice &
  RunSlice &
  HistorySlice &
  RunsSlice &
  ReproduceSlice &
  NoticesSlice &
  LiveSlice;

/** A slice of the lab store: gets the whole store's `set`/`get`, returns its own part. */
export type SliceCreator<T> = StateCreator<LabState, [], [], T>;
