import { Injectable, OnModuleDestroy } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import { signCallback } from '@app/callbacks';
import { BillerEndpoint } from './biller';

/** A call that got no HTTP answer: the biller is down, unreachable or too slow. */
export class BillerUnreachable extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
  }
}

export interface BillerAnswer {
  status: number;
  body: Record<string, unknown> | null;
}

export interface BillerCall {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  tenantId: string;
  correlationId: string;
  payerFiId?: string;
}

const MAX_ANSWER_BYTES = 1 << 20;

/**
 * HTTP to billers, over kept-alive connections (a bill inquiry is on the payer's critical path: no TLS or TCP
 * handshake per call). Every request carries the GovStack headers, X-Signature made with the biller's secret and
 * the auth header the operator configured. Answers are read up to 1 MiB as JSON; anything else is `body: null`.
 */
@Injectable()
export class BillerHttp implements OnModuleDestroy {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  call(e: BillerEndpoint, c: BillerCall): Promise<BillerAnswer> {
    const base = e.biller.baseUrl;
    if (!base) return Promise.reject(new BillerUnreachable('network', 'The biller has no endpoint'));
    const url = new URL(base.replace(/\/+$/, '') + c.path);
    const payload = c.body === undefined ? '' : JSON.stringify(c.body);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-CorrelationID': c.correlationId,
      'X-Platform-TenantId': c.tenantId,
    };
    if (c.payerFiId) {
      headers['X-PayerFI-Id'] = c.payerFiId;
    }
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    if (e.signingSecret)
      headers['X-Signature'] = signCallback(e.signingSecret, Math.floor(Date.now() / 1000), payload);
    if (e.biller.authHeaderName && e.authHeaderValue) headers[e.biller.authHeaderName] = e.authHeaderValue;
    const secure = url.protocol === 'https:';
    const timeoutMs = e.biller.timeoutMs;
    return new Promise<BillerAnswer>((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        { method: c.method, headers, agent: secure ? this.httpsAgent : this.httpAgent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            size += d.length;
            if (size <= MAX_ANSWER_BYTES) chunks.push(d);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              body: parseObject(Buffer.concat(chunks).toString('utf8')),
            });
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(new BillerUnreachable('network', err.message));
          });
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new BillerUnreachable('timeout', `No answer within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof BillerUnreachable ? err : new BillerUnreachable('network', err.message));
      });
      req.end(payload || undefined);
    });
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
