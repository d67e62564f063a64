/**
 * Which VDN a campaign belongs to (archived campaigns included): the event stream
 * (`/campaignd/v1/events`) uses it to show each access key only the events of its own VDNs.
 *
 * @example const vdnId = await campaignVdn(db, 46) // 1, or undefined for an unknown id
 */
import type { Db } from './db.js';

export async function campaignVdn(db: Db, campaignId: number): Promise<number | undefined> {
  const row = await db.selectFrom('campaigns').select('vdn_id').where('id', '=', campaignId).executeTakeFirst();
  return row ? Number(row.vdn_id) : undefined;
}
