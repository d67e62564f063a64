/**
 * Engine pacing shared by every node on the database (migration 011-pacing).
 *
 * - `round:<campaignId>`: `until_at` = engine time (epoch ms) before which that campaign starts
 *   no new round (`callInterval`); `used` = the `until_at` before the last round started.
 * - `cps`: `until_at` = the engine-time second (epoch ms, a multiple of 1000) the budget counts;
 *   `used` = calls handed out in that second (`CAMPAIGND_MAX_CPS` caps it).
 */
export interface EnginePacingTable {
  key: string;
  until_at: number;
  /** `cps`: calls handed out in the second; `round:…`: the previous `until_at` (to cancel a round). */
  used: number;
  /** `cps`: the last grant (read back by RETURNING). */
  granted: number;
}

export interface PacingTables {
  engine_pacing: EnginePacingTable;
}
