/**
 * Engine pacing shared by every node on the database (migration 011-pacing).
 *
 * - `round:<campaignId>`: `until_at` = engine time (epoch ms) before which that campaign starts
 *   no new round (`callInterval`); `used` unused (0).
 * - `cps`: `until_at` = the engine-time second (epoch ms, a multiple of 1000) the budget counts;
 *   `used` = calls handed out in that second (`CAMPAIGND_MAX_CPS` caps it).
 */
export interface EnginePacingTable {
  key: string;
  until_at: number;
  used: number;
}

export interface PacingTables {
  engine_pacing: EnginePacingTable;
}
