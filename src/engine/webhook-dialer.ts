/**
 * The webhook dialer hands each call to an external CTI over HTTP:
 *
 *   campaignd ──POST {CAMPAIGND_WEBHOOK_URL} {callId, calledNo, callerNo, …}──▶ CTI   (2xx = accepted)
 *   CTI ──POST /campaignd/v1/calls/{callId}/result {failCode, …} (signed)──▶ campaignd
 *
 * A refused hand-off (non-2xx, timeout, connection error) is an attempt that failed at once:
 * OBS code 34606 ("call attempt failed"), so the retry policy decides what follows. An accepted
 * call whose result never arrives is settled 34608 when its lease expires.
 */
import type { DialOutcome, Dialer, DialRequest, DialResult } from './dialer.js';

export interface WebhookDialerOptions {
  url: string;
  timeoutMs: number;
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
      time: req.nowMs,
      resultPath: this.opts.resultPath(req.vdnId, req.callId),
    });
    const failed = (): DialResult => {
      const outcome: DialOutcome = { failCode: '34606', ackBeginTime: null, callBeginTime: null, callEndTime: req.nowMs };
      return { kind: 'settled', outcome };
    };
    try {
      const timeout = AbortSignal.timeout(this.opts.timeoutMs);
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=UTF-8' },
        body,
        redirect: 'error',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      await res.arrayBuffer();
      return res.status >= 200 && res.status < 300 ? { kind: 'accepted' } : failed();
    } catch {
      return failed();
    }
  }
}
