/** The per-example unlearning audit's driver (docs/audit.md); its plan and statistics are in src/core/results. */
export { runAudit, auditModels, originalKey, recordKey, MemoryAuditStore } from './driver';
export type { AuditStore, AuditEvent, AuditDriverOptions } from './driver';
