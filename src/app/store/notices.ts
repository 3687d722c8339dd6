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
  /** a button in the notice (e.g. "Start Compare" when a link's autorun was held back) */
  action?: NoticeAction;
}

export interface NoticeAction {
  label: string;
  testId: string;
  run: () => void;
}

export interface NoticesSlice {
  notices: Notice[];
  /** Show a notice (replacing one with the same testId). */
  notify(level: Notice['level'], title: string, lines?: string[], testId?: string, action?: NoticeAction): void;
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
    notify(level, title, lines = [], testId, action) {
      const notice: Notice = { id: seq++, level, title, lines, testId, action };
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
