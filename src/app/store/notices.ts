/**
 * Notices slice: the messages above the results (URL problems, dataset fallbacks, crashes, errors). Each has an
 * optional `testId`; a new notice with the same testId replaces the old one.
 */
import type { SliceCreator } from './types';

export interface Notice {
  id: number;
  level: 'info' | 'warn' | 'error';
  title: string;
  /** plain text lines (rendered as text nodes, never HTML) */
  lines: string[];
  testId?: string;
}

export interface NoticesSlice {
  notices: Notice[];
  /** Show a notice (replacing one with the same testId). */
  notify(level: Notice['level'], title: string, lines?: string[], testId?: string): void;
  /** Remove the notices with these testIds. */
  dropNotices(...testIds: string[]): void;
  /** Remove every notice except those with these testIds. */
  clearNoticesExcept(...testIds: string[]): void;
  dismissNotice(id: number): void;
}

export const createNoticesSlice: SliceCreator<NoticesSlice> = (set) => {
  let seq = 1;
  return {
    notices: [],
    notify(level, title, lines = [], testId) {
      const notice: Notice = { id: seq++, level, title, lines, testId };
      set((s) => ({ notices: [...s.notices.filter((n) => !(testId && n.testId === testId)), notice] }));
    },
    dropNotices(...testIds) {
      set((s) => ({ notices: s.notices.filter((n) => !n.testId || !testIds.includes(n.testId)) }));
    },
    clearNoticesExcept(...testIds) {
      set((s) => ({ notices: s.notices.filter((n) => !!n.testId && testIds.includes(n.testId)) }));
    },
    dismissNotice(id) {
      set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },
  };
};
