/**
 * OBS outbound result codes (`failCode` in call results, the outbound callback and
 * appoint/updateResult; `obsCode` in `queryOBSResultCode` and external-result mappings).
 *
 * The catalogue comes from the vendor's public "failCode" reason-code page (CEC API docs,
 * cec_07_1139) plus five 346xx codes known only from the outbound-callback page (cec_07_4046),
 * as collected in shared/reference/isales-gaps.md §1. The vendor's `queryOBSResultCode`
 * reports 120 codes; roughly 43 of them are not publicly documented and are therefore
 * absent here. Descriptions are our own English wording of the paraphrased meanings, except
 * 00602–00606, which reuse the exact English texts of the vendor's `queryOBSResultCode`
 * sample. Groups follow the callback page's grouping (success / user side / normal platform
 * release / resource shortage / system error / other).
 */

export type ObsCodeGroup = 'success' | 'user' | 'platform' | 'resource' | 'system' | 'other';

export interface ObsCode {
  /** Five digits, e.g. `00537`. */
  code: string;
  /** English description. */
  description: string;
  /** Chinese description; not filled in for any code yet (the vendor's texts are not reproduced). */
  descriptionZh?: string;
  group: ObsCodeGroup;
}

export const OBS_SUCCESS_CODE = '00000';

// Callback-page grouping. 34606 is listed under both "platform" and "resource"; the resource
// list is checked first so it lands in 'resource'. Codes in no list are 'other'.
const GROUP_LISTS: readonly (readonly [ObsCodeGroup, readonly string[]])[] = [
  ['success', ['00000']],
  ['user', ['00531', '00537', '00538', '00548', '00549', '00551', '00601', '00603', '00604', '00701']],
  ['resource', ['00602', '00605', '01048', '34606']],
  ['system', ['00606', '34611']],
  ['platform', ['00702', '01040', '01043', '01046', '01049', '34601', '34605', '34606', '34608']],
];

function groupOf(code: string): ObsCodeGroup {
  for (const [group, codes] of GROUP_LISTS) {
    if (codes.includes(code)) return group;
  }
  return 'other';
}

const DESCRIPTIONS: readonly (readonly [string, string])[] = [
  ['00000', 'The outbound call succeeded.'],
  ['00003', 'No resource was available.'],
  ['00004', 'The called party has changed; the call was already forwarded.'],
  ['00005', 'The call is waiting.'],
  ['00006', 'The called party is busy and the call is being forwarded.'],
  ['00007', 'The called party did not answer and the call is being forwarded.'],
  ['00008', 'The call to the called party is being forwarded.'],
  ['00009', 'The called party is temporarily not accepting calls.'],
  ['00010', 'The called party was ringing and the call is being forwarded.'],
  ['00011', 'The call was forwarded immediately without ringing.'],
  ['00012', 'The mobile subscriber cannot be reached.'],
  ['00013', 'The DTE terminal is in an invalid "sh" state.'],
  ['00014', 'The DTE terminal was forwarded without a cause.'],
  ['00015', 'The called party transferred the call with a hook flash.'],
  ['00018', 'Signalling indicates the remote switch is playing an announcement.'],
  ['00129', 'The number is vacant (not allocated).'],
  ['00132', 'A special information tone was sent.'],
  ['00145', 'The user is busy.'],
  ['00146', 'Nobody answered the call.'],
  ['00147', 'The user did not respond.'],
  ['00149', 'The user rejected the call.'],
  ['00150', 'The number has changed.'],
  ['00155', 'The line is faulty.'],
  ['00160', 'Music was detected.'],
  ['00162', 'An automatic device (answering machine or enterprise PBX) was detected.'],
  ['00180', 'A ringback tone was detected.'],
  ['00181', 'A busy tone was detected.'],
  ['00182', 'A SIT tone was detected.'],
  ['00184', 'A modem was detected.'],
  ['00185', 'A fax machine was detected.'],
  ['00186', 'A modem or fax machine was detected.'],
  ['00187', 'An unrecognised signal tone was detected.'],
  ['00190', 'A text telephone was detected (ans1).'],
  ['00191', 'A text telephone was detected (ans2).'],
  ['00192', 'A text telephone was detected (ans3).'],
  ['00193', 'A text telephone was detected (ans4).'],
  ['00194', 'A text telephone was detected (ans5).'],
  ['00195', 'A text telephone was detected (edt).'],
  ['00196', 'A text telephone was detected (fsk).'],
  ['00197', 'A text telephone was detected (dtmf).'],
  ['00208', 'The phone is switched off.'],
  ['00209', 'The line is suspended or out of service.'],
  ['00259', 'Resources are insufficient.'],
  ['00260', 'The called party is a modem.'],
  ['00261', 'The called party is a fax machine.'],
  ['00262', 'The called party is a fax machine or modem.'],
  ['00263', 'The called party is an answering machine.'],
  ['00441', 'A fax machine was detected.'],
  ['00531', 'The user hung up.'],
  ['00537', 'The called party is busy.'],
  ['00538', 'The number is vacant or wrong.'],
  ['00548', 'The mobile phone is switched off.'],
  ['00549', 'The mobile phone is outside the service area.'],
  // The catalogue page says "could not be reached"; the callback page says "user hung up".
  ['00551', 'The user could not be reached.'],
  ['00601', 'The user hung up before answering.'],
  // 00602–00606: exact English sample texts of queryOBSResultCode.
  ['00602', 'No resource available on the ACD.'],
  ['00603', 'The called party does not answer the call.'],
  ['00604', 'The call is rejected.'],
  ['00605', 'The switch is busy.'],
  ['00606', 'The ACD times out.'],
  ['00701', 'All agents were busy and the user hung up while queuing.'],
  ['00702', 'Queuing timed out.'],
  ['00703', 'The call data timed out.'],
  ['01040', 'Ringing timed out and the platform released the call.'],
  ['01041', 'Seizing the agent device timed out.'],
  ['01043', 'Waiting for the outbound call result timed out.'],
  ['01046', 'No agent could be seized.'],
  ['01048', 'The OBS limit on the number of calls was reached.'],
  ['01049', 'Waiting for the detection result timed out after the ACD went off-hook.'],
  ['01056', 'The agent and the user could not be connected.'],
  ['01281', "The agent released the user's call from the agent toolbar before the two were connected."],
  // The source text for 01288 is cut off after "agent ... during bridging".
  ['01288', 'The agent acted on the call while it was being connected (source text incomplete).'],
  ['34601', 'The outbound campaign does not exist.'],
  ['34605', 'The called number is empty.'],
  ['34606', 'The call attempt failed, for example because the concurrent outbound call limit was reached.'],
  ['34608', 'No result arrived after dialling; the record was written back when the wait timed out.'],
  // 34609 is in no catalogue table, but the reference says it appears in the vendor's result
  // examples, i.e. the real platform emits it. It is kept (group 'other', meaning marked as
  // undocumented) so that code validation (isKnownObsCode, e.g. for createObResult obsCodes or
  // imported results) does not reject a code the real platform produces.
  ['34609', "Meaning not publicly documented (the code appears in the vendor's result examples)."],
  ['34611', 'A system exception occurred.'],
];

export const OBS_CODES: readonly ObsCode[] = Object.freeze(
  DESCRIPTIONS.map(([code, description]) => Object.freeze<ObsCode>({ code, description, group: groupOf(code) })).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
);

const BY_CODE: ReadonlyMap<string, ObsCode> = new Map(OBS_CODES.map((c) => [c.code, c]));

export function findObsCode(code: string): ObsCode | undefined {
  return BY_CODE.get(code);
}

export function isKnownObsCode(code: string): boolean {
  return BY_CODE.has(code);
}

/**
 * The one normalisation of fail codes (issue #8), for every path a code comes in by (dialer,
 * webhook CTI result, `appoint/updateResult`): the outbound callback sample sends `"0"` for a
 * successful call and CTIs often drop leading zeros (`603`), while results use the 5-digit OBS
 * form. A numeric code shorter than 5 digits is left-padded with zeros (`0` → `00000`,
 * `603` → `00603`); anything else is returned unchanged.
 */
export function normalizeFailCode(code: string): string {
  return /^\d{1,4}$/.test(code) ? code.padStart(5, '0') : code;
}

export function isSuccessFailCode(code: string): boolean {
  return normalizeFailCode(code) === OBS_SUCCESS_CODE;
}

/**
 * One page of the catalogue in `queryOBSResultCode` shape. `pageNum` starts at 1; the caller
 * validates `pageNum >= 1` and `pageSize` 1–50. A page past the end is empty.
 */
export function pageObsCodes(pageNum: number, pageSize: number): { totalCount: number; obsCodes: { obsCode: string; obsCodeDesc: string }[] } {
  const start = (pageNum - 1) * pageSize;
  return {
    totalCount: OBS_CODES.length,
    obsCodes: OBS_CODES.slice(start, start + pageSize).map((c) => ({ obsCode: c.code, obsCodeDesc: c.description })),
  };
}
