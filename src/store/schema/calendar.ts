/**
 * Special dates (holidays) and the blocklist's validity columns (owned by the
 * reservations/blocklist/special-dates area). Tables and columns are created by
 * migrations/004-calendar.ts.
 */
import type { NameNfc } from './names.js';
import type { Generated } from 'kysely';

/**
 * One special date of a campaign. The three kinds keep their wire strings, because they are
 * compared as local calendar dates, never as instants:
 * - type 1 weekly: `week` = sorted ISO weekdays, e.g. "6,7";
 * - type 2 date range: `begin_date`/`end_date` = "yyyy-MM-dd";
 * - type 3 yearly range: `begin_date`/`end_date` = "MM-dd".
 */
export interface SpecialDateTable {
  id: Generated<number>;
  vdn_id: number;
  campaign_id: number;
  name: string;
  type: number;
  week: string | null;
  begin_date: string | null;
  end_date: string | null;
  created_at: number;
  updated_at: number;
  /** NFC form of `name`, compared by the "name taken" check (names.ts). */
  name_nfc: NameNfc;
}

export interface CalendarTables {
  special_dates: SpecialDateTable;
}
