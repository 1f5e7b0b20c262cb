// One ALB-style health check request: GET <path> with the ELB user agent, judged by the matcher and the timeout.

import { request } from 'node:http';

export interface ProbeResult {
  readonly ok: boolean;
  /** ALB reason code when the probe failed. */
  readonly reason?: 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks';
  readonly description?: string;
}

export function probeTarget(
  targetUrl: string,
  path: string,
  timeoutMs: number,
  matches: (status: number) => boolean,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const base = new URL(targetUrl);
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: 'GET',
        agent: false,
        headers: { host: base.host, 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        finish(
          matches(status)
            ? { ok: true }
            : {
                ok: false,
                reason: 'Target.ResponseCodeMismatch',
                description: `Health checks failed with these codes: [${status}]`,
              },
        );
      },
    );
    const timer = setTimeout(
      () => finish({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' }),
      timeoutMs,
    );
    req.on('error', (error) =>
      finish({ ok: false, reason: 'Target.FailedHealthChecks', description: `Health checks failed: ${error.message}` }),
    );
    req.end();
  });
}
