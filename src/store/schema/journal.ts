/**
 * The interface invocation journal (calllogs) (owned by the results area).
 * Tables are added here and to migrations/005-journal.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JournalTables {}
