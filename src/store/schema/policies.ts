/**
 * Campaign policies: retry policy, business-result definitions (owned by the campaigns area).
 * Tables are added here and to migrations/003-policies.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PolicyTables {}
