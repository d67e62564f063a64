/**
 * Batch state machine: a batch is `1` started or `2` suspended (created suspended unless
 * `status: 1` is asked for).
 *
 *   suspended(2) ──resume──▶ started(1) ──pause──▶ suspended(2)
 *
 * Which campaign states allow which batch operation (isales-api.md §4.2, PRODUCT.md):
 * create/update/delete/resume while the campaign is anything but expired; pause only while it
 * is not-started, executing or call-completed (not while suspended). Listing changes nothing
 * and works in every state. Deleting a batch also deletes its records still waiting to be
 * dialled and is refused while one of them is being dialled (domain/batches.ts).
 */
import type { CampaignState } from './campaign-rules.js';

export const BATCH_STARTED = 1;
export const BATCH_SUSPENDED = 2;

export type BatchOperation = 'create' | 'update' | 'delete' | 'resume' | 'pause';

export function batchOperationAllowed(op: BatchOperation, state: CampaignState): boolean {
  if (state === 'expired') return false;
  if (op === 'pause') return state !== 'suspended';
  return true;
}
