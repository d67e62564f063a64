/**
 * Special dates (holidays) and other calendar data (owned by the reservations/blocklist/special-dates area).
 * Tables are added here and to migrations/004-calendar.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CalendarTables {}
