/**
 * Special dates (holidays) and the blocklist's validity columns (owned by the
 * reservations/blocklist/special-dates area). Tables and columns are created by
 * migrations/004-calendar.ts.
 */
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
}

export interface CalendarTables {
  special_dates: SpecialDateTable;
}

/*
 * Columns that 004-calendar adds to the `blocklist` table of 001-initial: the relative validity
 * as the client sent it (echoed by blocklist/query). `expires_at` stays the one value every rule
 * reads; these two are for display only. Merged into db.ts's BlocklistTable by module
 * augmentation so that this area does not edit db.ts.
 */
declare module '../db.js' {
  interface BlocklistTable {
    /** `validityTime` as sent (1–120), null when absent or when validityExpirationTime won. */
    validity_time: number | null;
    /** `validityTimeUnit`: 1 year, 2 month, 3 day, 4 hour. */
    validity_time_unit: number | null;
  }
}
