import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, AuditService } from '@app/platform';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';

const SWEEPER = { id: 'ledger-expiry-sweeper', kind: 'system' };

/** A UUID derived from the pending transfer's, so two sweepers expiring it at once write one transfer. */
export function expiryTransferId(pendingId: string): string {
  const h = createHash('sha256').update(`expire:${pendingId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Voids pending transfers whose timeout has passed, with an `expire_pending` transfer (posting or voiding
 * one after its timeout is refused anyway; this releases the reserved funds). Runs in workers only.
 */
@Injectable()
export class PendingExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PendingExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly config: AppConfig,
    private readonly repo: LedgerRepository,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.env.LEDGER_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Expires up to 500 overdue reservations per pass; returns how many. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let expired = 0;
    try {
      const due = await this.repo.expiredPending(500);
      const byTenant = new Map<string, string[]>();
      for (const d of due) byTenant.set(d.tenantId, [...(byTenant.get(d.tenantId) ?? []), d.id]);
      for (const [tenantId, ids] of byTenant) {
        for (const pendingId of ids) {
          // One at a time: a reservation resolved meanwhile must not stop the others from expiring.
          try {
            const created = await this.ds.transaction(async (m) => {
              const [result] = await this.ledger.createTransfers(m, tenantId, [
                { id: expiryTransferId(pendingId), kind: 'expire_pending', pendingId, code: 'pending.expired' },
              ]);
              if (result.created)
                await this.audit.record(m, [
                  {
                    tenantId,
                    actor: SWEEPER,
                    action: 'ledger.transfer.expire',
                    objectType: 'ledger_transfer',
                    objectId: result.transfer.id,
                    after: { ...result.transfer, amount: result.transfer.amount.toString() },
                    details: { pendingId },
                  },
                ]);
              return result.created;
            });
            if (created) expired++;
          } catch (err) {
            this.logger.debug(`Pending transfer ${pendingId} not expired: ${(err as Error).message}`);
          }
        }
      }
      if (expired) this.logger.log(`Expired ${expired} pending transfers`);
    } catch (err) {
      this.logger.warn(`Expiry sweep failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
    return expired;
  }
}
