/**
 * SIP final responses → OBS fail codes: the one table the SIP dialer uses (README "The SIP
 * dialer", pinned by test/sip-outcomes.test.ts). Issue #15 fixes the main rows; the rest follow
 * the OBS catalogue's meanings (domain/obs-codes.ts):
 *
 *   200 (answered)                      → 00000 success
 *   486 Busy Here, 600 Busy Everywhere  → 00537 called party busy
 *   603 Decline                         → 00604 rejected
 *   480, 408, 487, our CANCEL at maxAlertingTime → 00603 no answer
 *   404, 484, 410, 604                  → 00538 number vacant or wrong
 *   503 and any other 5xx               → 00605 switch busy
 *   any other 6xx                       → 00604 rejected
 *   401/407 not overcome, 403, other 3xx/4xx, or a failure of our own (the trunk never answered,
 *   the connection failed)              → 34606 call attempt failed
 *
 * An answered call whose hand-off (REFER) the far end refused is 01056 ("the agent and the user
 * could not be connected"): the customer was reached but never got to the campaign's target.
 */

export const SIP_OBS = {
  success: '00000',
  busy: '00537',
  noAnswer: '00603',
  rejected: '00604',
  vacant: '00538',
  switchBusy: '00605',
  attemptFailed: '34606',
  handOffFailed: '01056',
} as const;

const EXACT: ReadonlyMap<number, string> = new Map([
  [486, SIP_OBS.busy],
  [600, SIP_OBS.busy],
  [603, SIP_OBS.rejected],
  [480, SIP_OBS.noAnswer],
  [408, SIP_OBS.noAnswer],
  [487, SIP_OBS.noAnswer],
  [404, SIP_OBS.vacant],
  [484, SIP_OBS.vacant],
  [410, SIP_OBS.vacant],
  [604, SIP_OBS.vacant],
]);

/**
 * The OBS fail code of a final SIP response to an INVITE.
 *
 * @param status SIP status code, 200–699 (a 1xx is not final and gives 34606, as does anything
 *   outside 100–699).
 * @param local true when the response did not come from the far end but from campaignd's own
 *   stack (no answer at all to the INVITE, connection refused, name not resolved): always 34606,
 *   so a trunk fault never marks a number as vacant or unanswered.
 */
export function obsCodeForSipStatus(status: number, local = false): string {
  if (local || !Number.isInteger(status) || status < 200 || status > 699) return SIP_OBS.attemptFailed;
  if (status < 300) return SIP_OBS.success;
  const exact = EXACT.get(status);
  if (exact) return exact;
  if (status >= 500 && status < 600) return SIP_OBS.switchBusy;
  if (status >= 600) return SIP_OBS.rejected;
  return SIP_OBS.attemptFailed;
}

/** The table as rows, for the README and the tests: `[status or class, OBS code]`. */
export const SIP_OBS_TABLE: ReadonlyArray<readonly [string, string]> = [
  ['2xx', SIP_OBS.success],
  ...[...EXACT.entries()].map(([s, c]) => [String(s), c] as const),
  ['other 5xx', SIP_OBS.switchBusy],
  ['other 6xx', SIP_OBS.rejected],
  ['3xx, other 4xx', SIP_OBS.attemptFailed],
];
