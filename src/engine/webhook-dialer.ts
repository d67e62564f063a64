/**
 * The webhook dialer hands each call to an external CTI over HTTP:
 *
 *   campaignd ──POST {CAMPAIGND_WEBHOOK_URL} {callId, calledNo, callerNo, …}──▶ CTI   (2xx = accepted)
 *   CTI ──POST /campaignd/v1/calls/{callId}/result {failCode, …} (signed)──▶ campaignd
 *
 * A refused hand-off (non-2xx, timeout, connection error) is an attempt that failed at once:
 * OBS code 34606 ("call attempt failed"), so the retry policy decides what follows. An accepted
 * call whose result never arrives is settled 34608 when its lease expires.
 *
 * The hand-off goes through `OutboundHttp`: destination policy on every connection, reply cap,
 * connect/headers/body timeouts, a few hand-offs at a time to the CTI.
 */
import type { DialOutcome, Dialer, DialRequest, DialResult } from './dialer.js';
import type { OutboundHttp } from './outbound-http.js';

export interface WebhookDialerOptions {
  url: string;
  /** One hand-off, in milliseconds. */
  timeoutMs: number;
  http: OutboundHttp;
  /** Path of the result endpoint, for the CTI's convenience. */
  resultPath: (vdnId: number, callId: string) => string;
}

export class WebhookDialer implements Dialer {
  readonly name = 'webhook';

  constructor(private readonly opts: WebhookDialerOptions) {}

  async dial(req: DialRequest, signal?: AbortSignal): Promise<DialResult> {
    const body = JSON.stringify({
      callId: req.callId,
      vdnId: req.vdnId,
      campaignId: req.campaignId,
      dataId: req.dataId ?? null,
      reservationId: req.reservationId ?? null,
      calledNo: req.calledNo,
      callerNo: req.callerNo,
      attempt: req.attempt,
      maxAlertingTime: req.maxAlertingTime,
      deviceType: req.deviceType,
      callData: req.callData ?? null,
      ...(req.agentQueue ? { agentQueue: req.agentQueue } : {}),
      time: req.nowMs,
      resultPath: this.opts.resultPath(req.vdnId, req.callId),
    });
    const failed = (): DialResult => {
      const outcome: DialOutcome = { failCode: '34606', ackBeginTime: null, callBeginTime: null, callEndTime: req.nowMs };
      return { kind: 'settled', outcome };
    };
    try {
      const res = await this.opts.http.postJson(this.opts.url, body, { timeoutMs: this.opts.timeoutMs, signal });
      return res.status >= 200 && res.status < 300 ? { kind: 'accepted' } : failed();
    } catch {
      return failed();
    }
  }
}
