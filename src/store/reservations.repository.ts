/**
 * Reservations (appointments) and the history of their results.
 *
 * @example const r = await findReservation(db, 1, '174712034211433247704877116507')
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db, ReservationResultTable, ReservationTable } from './db.js';

export type ReservationRow = Selectable<ReservationTable>;

export async function insertReservation(db: Db, row: Insertable<ReservationTable>): Promise<void> {
  await db.insertInto('reservations').values(row).execute();
}

export async function findReservation(db: Db, vdnId: number, id: string): Promise<ReservationRow | undefined> {
  return db.selectFrom('reservations').selectAll().where('id', '=', id).where('vdn_id', '=', vdnId).executeTakeFirst();
}

export async function updateReservation(db: Db, id: string, patch: Updateable<ReservationTable>): Promise<void> {
  await db.updateTable('reservations').set(patch).where('id', '=', id).execute();
}

export async function insertReservationResult(db: Db, row: Insertable<ReservationResultTable>): Promise<void> {
  await db.insertInto('reservation_results').values(row).execute();
}

export async function listReservationResults(db: Db, reservationId: string) {
  return db.selectFrom('reservation_results').selectAll().where('reservation_id', '=', reservationId).orderBy('id').execute();
}
