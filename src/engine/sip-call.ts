/**
 * One outbound call of the SIP dialer: campaignd as a user agent client (RFC 3261) towards the
 * trunk, on the `sip` package's transaction layer (which retransmits, ACKs non-2xx finals and
 * times out with a local 408/503).
 *
 *   calling ──1xx──▶ early ──2xx──▶ confirmed ──REFER accepted / talk time──▶ BYE ──▶ ended
 *      │               │  maxAlertingTime: CANCEL → 487 → ended (no answer)
 *      │               └──3xx–6xx──▶ ended (sip-outcomes.ts)
 *      └── 401/407: the INVITE again with digest credentials (once per challenge kind)
 *
 * - `maxAlertingTime` counts from the INVITE. CANCEL may only follow a provisional response
 *   (RFC 3261 §9.1): if none came yet, it is sent when the first one arrives; the stack's own
 *   408 after 32 s ends an INVITE that never got any answer.
 * - On answer: ACK (along the Record-Route set), then REFER to the transfer URI when one is
 *   configured (the far end's NOTIFY with the final status, or its BYE, ends campaignd's part;
 *   campaignd then sends BYE), else hold for the talk time and send BYE. A BYE from the far end
 *   is answered 200 and ends the call.
 * - No media: the INVITE carries an SDP offer so that trunks accept it, but campaignd sends no
 *   RTP; the hand-off (REFER) brings the customer to the PBX's media.
 * - Times in the result are engine times: the engine's reading at dial time plus the real time
 *   elapsed since, so a manual clock still gets durations that add up.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SipAddress, SipMessage, Stack } from 'sip';
import sip from 'sip';
import digest from 'sip/digest.js';
import type { DialRequest } from './dialer.js';
import type { SipCallRecord } from './sip-call-record.js';
import { sipUser } from './sip-uris.js';
import type { SipConfig } from '../config/sip.js';
import type { SipMetrics } from './sip-metrics.js';
import { obsCodeForSipStatus, SIP_OBS } from './sip-outcomes.js';

export type { SipCallRecord } from './sip-call-record.js';

export interface SipCallEnv {
  stack: Stack;
  cfg: SipConfig;
  metrics: SipMetrics;
  /** Port the stack is bound to (Contact, SDP). */
  localPort: number;
  log?: Logger;
}

/** How long a BYE or a CANCELled INVITE may wait for its answer before the call is ended anyway (ms). */
const GUARD_MS = 4000;
/** How long a REFER's outcome is awaited (NOTIFY with a final status, or the far end's BYE) (ms). */
const TRANSFER_WAIT_MS = 10_000;

/** How a call ended: the INVITE's final status (null when none) and the OBS code it maps to. */
interface Final {
  status: number | null;
  reason: string | null;
  local: boolean;
  failCode: string;
}

const tag = () => randomBytes(6).toString('hex');

export class SipCall {
  readonly sipCallId: string;
  readonly #env: SipCallEnv;
  readonly #req: DialRequest;
  readonly #transferUri: string | null;
  readonly #offset: number;
  readonly #fromTag = tag();
  readonly #done: Promise<SipCallRecord>;
  #resolve!: (r: SipCallRecord) => void;
  #state: 'calling' | 'early' | 'confirmed' | 'ended' = 'calling';
  #cseq = 1;
  #invite: SipMessage | null = null;
  #authTried = new Set<number>();
  #authCtx: object = {};
  #cancelWanted = false;
  /** campaignd is stopping: a call cancelled for that is a failed attempt, not an unanswered one. */
  #aborted = false;
  #cancelSent = false;
  #timers: NodeJS.Timeout[] = [];
  #inviteAt: number;
  #ringingAt: number | null = null;
  #answeredAt: number | null = null;
  #dialog: { to: SipAddress; target: string; route: SipAddress[] } | null = null;
  #transferStatus: number | null = null;
  #final: Final | null = null;
  /** The first final response to an INVITE received from the far end. */
  #wireFinal: { status: number; reason: string | null } | null = null;

  constructor(env: SipCallEnv, req: DialRequest, transferUri: string | null) {
    this.#env = env;
    this.#req = req;
    this.#transferUri = transferUri;
    this.sipCallId = `${randomBytes(10).toString('hex')}@${env.cfg.publicAddress}`;
    this.#inviteAt = Date.now();
    this.#offset = req.nowMs - this.#inviteAt;
    this.#done = new Promise((r) => (this.#resolve = r));
  }

  /** Places the call; resolves when it has ended (never rejects). */
  run(): Promise<SipCallRecord> {
    this.#env.metrics.inFlight++;
    try {
      this.#sendInvite();
    } catch (e) {
      // Nothing went out (the stack refused the message): the attempt failed on campaignd's side.
      this.#finish({ status: null, reason: (e as Error).message.slice(0, 120), local: true, failCode: SIP_OBS.attemptFailed });
      return this.#done;
    }
    this.#timer(this.#req.maxAlertingTime * 1000, () => this.#alertingExpired());
    return this.#done;
  }

  /** Ends the call now (campaignd shutting down): CANCEL while ringing, BYE once answered. */
  abort(): void {
    if (this.#state === 'ended') return;
    this.#aborted = true;
    if (this.#state === 'confirmed') this.#bye();
    else {
      this.#cancelWanted = true;
      if (this.#state === 'early') this.#sendCancel();
      this.#timer(GUARD_MS, () => this.#finish({ status: null, reason: 'campaignd stopped', local: true, failCode: SIP_OBS.attemptFailed }));
    }
  }

  #now(): number {
    return Date.now();
  }

  #timer(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref?.();
    this.#timers.push(t);
  }

  get #trunkUri(): string {
    const { host, port } = this.#env.cfg.trunk;
    return `sip:${host}:${port}${this.#transportParam}`;
  }

  get #contact(): string {
    return `sip:campaignd@${this.#env.cfg.publicAddress}:${this.#env.localPort}${this.#transportParam}`;
  }

  /** `;transport=tcp|tls` in the URIs campaignd writes (UDP is the default and left out). */
  get #transportParam(): string {
    const t = this.#env.cfg.trunk.transport;
    return t === 'udp' ? '' : `;transport=${t}`;
  }

  #from(): SipAddress {
    const { host } = this.#env.cfg.trunk;
    return { uri: `sip:${sipUser(this.#req.callerNo || 'anonymous')}@${host}`, params: { tag: this.#fromTag } };
  }

  #sdp(): string {
    const ip = this.#env.cfg.publicAddress;
    const addrType = ip.includes(':') ? 'IP6' : 'IP4';
    const id = Math.floor(this.#inviteAt / 1000);
    return [
      `v=0`,
      `o=campaignd ${id} ${id} IN ${addrType} ${ip}`,
      `s=campaignd`,
      `c=IN ${addrType} ${ip}`,
      `t=0 0`,
      `m=audio 9 RTP/AVP 0 8`,
      `a=rtpmap:0 PCMU/8000`,
      `a=rtpmap:8 PCMA/8000`,
      `a=sendrecv`,
      '',
    ].join('\r\n');
  }

  #sendInvite(challenge?: SipMessage): void {
    const { host, port } = this.#env.cfg.trunk;
    const calledNo = sipUser(this.#req.calledNo);
    const uri = `sip:${calledNo}@${host}:${port}${this.#transportParam}`;
    const from = this.#from();
    const msg: SipMessage = {
      method: 'INVITE',
      uri,
      headers: {
        to: { uri: `sip:${calledNo}@${host}` },
        from,
        'call-id': this.sipCallId,
        cseq: { method: 'INVITE', seq: this.#cseq },
        contact: [{ uri: this.#contact }],
        'max-forwards': 70,
        'p-asserted-identity': `<${typeof from.uri === 'string' ? from.uri : sip.stringifyUri(from.uri)}>`,
        'user-agent': 'campaignd',
        allow: 'INVITE, ACK, CANCEL, BYE, NOTIFY, OPTIONS',
        'content-type': 'application/sdp',
      },
      content: this.#sdp(),
    };
    const creds = this.#env.cfg.credentials;
    if (challenge && creds) digest.signRequest(this.#authCtx, msg, challenge, { user: creds.user, password: creds.password });
    this.#invite = msg;
    this.#wireFinal = null;
    this.#env.stack.send(msg, (rs) => this.#onInviteResponse(msg, rs));
  }

  #onInviteResponse(msg: SipMessage, rs: SipMessage): void {
    const status = rs.status ?? 0;
    // The stack makes up finals of its own (timeouts, failed connections, and the 503 it turns a
    // far end's 503 into): only a final seen on the wire is the far end's.
    const local = status >= 200 && this.#wireFinal === null;
    const reason = this.#wireFinal?.reason ?? (rs.reason || null);
    if (status >= 200 && status < 300) return this.#onAnswer(msg, rs);
    if (msg !== this.#invite || this.#state === 'ended') return;
    if (status < 200) {
      if (status > 100 && this.#ringingAt === null) this.#ringingAt = this.#now();
      if (this.#state === 'calling') this.#state = 'early';
      if (this.#cancelWanted && !this.#cancelSent) this.#sendCancel();
      return;
    }
    if ((status === 401 || status === 407) && this.#env.cfg.credentials && !this.#authTried.has(status) && !this.#cancelWanted) {
      this.#authTried.add(status);
      this.#cseq++;
      this.#sendInvite(rs);
      return;
    }
    const cancelledCode = this.#aborted ? SIP_OBS.attemptFailed : SIP_OBS.noAnswer;
    const failCode = this.#cancelSent && (status === 487 || local) ? cancelledCode : obsCodeForSipStatus(status, local && this.#ringingAt === null);
    this.#finish({ status, reason, local, failCode });
  }

  #onAnswer(msg: SipMessage, rs: SipMessage): void {
    const to = rs.headers.to!;
    const contact = Array.isArray(rs.headers.contact) ? rs.headers.contact[0] : undefined;
    const target = contact ? (typeof contact.uri === 'string' ? contact.uri : sip.stringifyUri(contact.uri)) : this.#trunkUri;
    const route = [...(rs.headers['record-route'] ?? [])].reverse();
    if (this.#dialog === null && this.#state !== 'ended') this.#dialog = { to, target, route };
    // Every 2xx is ACKed, retransmissions and late answers to a cancelled INVITE too (RFC 6026).
    this.#sendAck(msg, { to, target, route });
    if (this.#state === 'confirmed') return;
    if (this.#state === 'ended') {
      // An answer after campaignd gave up on the call (CANCEL unanswered): hang up that dialog too.
      if (this.#strayByes.has(to.params?.tag ?? '')) return;
      this.#strayByes.add(to.params?.tag ?? '');
      const bye = this.#inDialog('BYE', { to, target, route });
      if (bye) this.#env.stack.send(bye);
      return;
    }
    if (this.#cancelSent || this.#cancelWanted) {
      // Answered while campaignd was cancelling: hang up at once; the attempt stays unanswered.
      this.#state = 'confirmed';
      this.#final = { status: 200, reason: rs.reason || null, local: false, failCode: this.#aborted ? SIP_OBS.attemptFailed : SIP_OBS.noAnswer };
      this.#bye();
      return;
    }
    this.#state = 'confirmed';
    this.#answeredAt = this.#now();
    if (this.#transferUri) this.#refer(this.#transferUri);
    else this.#timer(this.#env.cfg.talkMs, () => this.#bye());
  }

  #sendAck(invite: SipMessage, d: { to: SipAddress; target: string; route: SipAddress[] }): void {
    const headers: SipMessage['headers'] = {
      to: d.to,
      from: invite.headers.from,
      'call-id': this.sipCallId,
      cseq: { method: 'ACK', seq: invite.headers.cseq!.seq },
      via: [],
      'max-forwards': 70,
    };
    if (d.route.length > 0) headers.route = d.route;
    for (const h of ['authorization', 'proxy-authorization']) if (invite.headers[h]) headers[h] = invite.headers[h];
    this.#env.stack.send({ method: 'ACK', uri: d.target, headers });
  }

  #alertingExpired(): void {
    if (this.#state === 'calling' || this.#state === 'early') {
      this.#cancelWanted = true;
      if (this.#state === 'early') this.#sendCancel();
    }
  }

  #sendCancel(): void {
    const inv = this.#invite;
    const via = inv?.headers.via?.[0];
    if (!inv || !via || this.#cancelSent) return;
    this.#cancelSent = true;
    const cancel: SipMessage = {
      method: 'CANCEL',
      uri: inv.uri,
      headers: {
        to: inv.headers.to,
        from: inv.headers.from,
        'call-id': this.sipCallId,
        cseq: { method: 'CANCEL', seq: inv.headers.cseq!.seq },
        via: [{ ...via, params: { ...via.params } }],
        'max-forwards': 70,
      },
    };
    this.#env.stack.send(cancel);
    // The far end answers the INVITE 487; if it never does, the call ends anyway.
    this.#timer(GUARD_MS, () => this.#finish({ status: null, reason: 'no answer to CANCEL', local: true, failCode: this.#aborted ? SIP_OBS.attemptFailed : SIP_OBS.noAnswer }));
  }

  /** Every response of this call as it arrives on the wire, before the transaction layer. */
  onWire(rs: SipMessage): void {
    const status = rs.status ?? 0;
    const method = rs.headers.cseq?.method ?? '?';
    this.#env.metrics.response(method, status);
    if (method === 'INVITE' && status >= 200 && this.#wireFinal === null) this.#wireFinal = { status, reason: rs.reason || null };
  }

  /** An in-dialog request (campaignd's stack routes it here by Call-ID). */
  onRequest(rq: SipMessage): void {
    const method = rq.method ?? '';
    if (method === 'ACK') return;
    if (method === 'BYE') {
      this.#env.stack.send(sip.makeResponse(rq, 200, 'OK'));
      if (this.#state === 'confirmed') this.#finish(this.#final ?? this.#answered());
      return;
    }
    if (method === 'NOTIFY') {
      this.#env.stack.send(sip.makeResponse(rq, 200, 'OK'));
      const frag = /^SIP\/2\.0\s+(\d{3})/.exec(rq.content ?? '');
      const st = frag ? Number(frag[1]) : null;
      if (st !== null && st >= 200 && this.#state === 'confirmed') {
        this.#transferStatus = st;
        this.#bye();
      }
      return;
    }
    if (method === 'INVITE' || method === 'UPDATE' || method === 'OPTIONS' || method === 'INFO') {
      // A session refresh or a probe: accepted without changing anything (no media here).
      this.#env.stack.send(
        sip.makeResponse(
          rq,
          200,
          'OK',
          method === 'INVITE' ? { headers: { contact: [{ uri: this.#contact }], 'content-type': 'application/sdp' }, content: this.#sdp() } : undefined,
        ),
      );
      return;
    }
    this.#env.stack.send(sip.makeResponse(rq, 405, 'Method Not Allowed'));
  }

  #answered(): Final {
    // The hand-off failed unless the REFER was accepted and no NOTIFY reported a failure.
    const handOffFailed = this.#transferUri !== null && !(this.#transferStatus !== null && this.#transferStatus < 300);
    return { status: 200, reason: 'OK', local: false, failCode: handOffFailed ? SIP_OBS.handOffFailed : SIP_OBS.success };
  }

  #inDialog(method: string, dialog = this.#dialog): SipMessage | null {
    const d = dialog;
    const inv = this.#invite;
    if (!d || !inv) return null;
    this.#cseq++;
    const headers: SipMessage['headers'] = {
      to: d.to,
      from: inv.headers.from,
      'call-id': this.sipCallId,
      cseq: { method, seq: this.#cseq },
      'max-forwards': 70,
    };
    if (d.route.length > 0) headers.route = d.route.map((r) => ({ ...r }));
    return { method, uri: d.target, headers };
  }

  #refer(template: string): void {
    const rq = this.#inDialog('REFER');
    if (!rq) return this.#bye();
    rq.headers['refer-to'] = { uri: template };
    rq.headers['referred-by'] = `<${this.#contact}>`;
    rq.headers.contact = [{ uri: this.#contact }];
    this.#env.stack.send(rq, (rs) => {
      const st = rs.status ?? 0;
      if (st < 200 || this.#state !== 'confirmed') return;
      if (this.#transferStatus === null || this.#transferStatus < 200) this.#transferStatus = st;
      if (st >= 300) this.#bye();
    });
    // The far end's NOTIFY with the transfer's final status, or its BYE, normally comes first.
    this.#timer(TRANSFER_WAIT_MS, () => this.#bye());
  }

  #byeSent = false;
  /** To-tags of answers that came after the call had ended, already hung up. */
  readonly #strayByes = new Set<string>();

  #bye(): void {
    if (this.#state !== 'confirmed' || this.#byeSent) return;
    this.#byeSent = true;
    const rq = this.#inDialog('BYE');
    const end = () => this.#finish(this.#final ?? this.#answered());
    if (!rq) return end();
    this.#env.stack.send(rq, (rs) => {
      if ((rs.status ?? 0) >= 200) end();
    });
    this.#timer(GUARD_MS, end);
  }

  #finish(f: Final): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    const endedAt = this.#now();
    const ringEnd = this.#answeredAt ?? endedAt;
    this.#env.metrics.inFlight--;
    this.#env.metrics.finished(f.failCode, ringEnd - this.#inviteAt, this.#answeredAt === null ? null : endedAt - this.#answeredAt);
    const eng = (t: number | null) => (t === null ? null : t + this.#offset);
    this.#resolve({
      callId: this.#req.callId,
      vdnId: this.#req.vdnId,
      campaignId: this.#req.campaignId,
      calledNo: this.#req.calledNo,
      callerNo: this.#req.callerNo,
      sipCallId: this.sipCallId,
      finalStatus: f.status,
      finalReason: f.reason,
      local: f.local,
      cancelled: this.#cancelSent,
      failCode: f.failCode,
      inviteAt: eng(this.#inviteAt)!,
      ringingAt: eng(this.#ringingAt),
      answeredAt: f.failCode === SIP_OBS.noAnswer ? null : eng(this.#answeredAt),
      endedAt: eng(endedAt)!,
      transferUri: this.#transferUri,
      transferStatus: this.#transferStatus,
    });
  }
}
