import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, AppException, ErrorCode } from '@app/platform';

/**
 * SQL that is true while a caller is locked out, for statements that must refuse such a caller in the same
 * round trip (the redemption claim); `tenant` and `caller` are the statement's parameter placeholders.
 */
export const lockedOut = (tenant: string, caller: string) =>
  `EXISTS (SELECT 1 FROM voucher_guess_counters gc WHERE gc.tenant_id = ${tenant} AND gc.caller = ${caller} AND gc.locked_until > now())`;

/**
 * Wrong voucher numbers, counted per caller and merchant in a sliding window: after a few, each further attempt
 * must wait twice as long as the last (throttled); after more, the pair is locked out for a while. Only failures
 * write; a caller in good standing pays one indexed read.
 */
@Injectable()
export class GuessThrottle {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly config: AppConfig,
  ) {}

  async check(tenantId: string, caller: string): Promise<void> {
    const rows = (await this.ds.query(
      `SELECT ceil(extract(epoch FROM locked_until - now()))::int AS wait FROM voucher_guess_counters
       WHERE tenant_id = $1 AND caller = $2 AND locked_until > now()`,
      [tenantId, caller],
    )) as { wait: number }[];
    if (rows.length)
      throw new AppException(
        ErrorCode.VOUCHER_LOCKED_OUT,
        `Too many invalid voucher numbers: try again in ${Math.max(1, rows[0].wait)} s`,
      );
  }

  async fail(tenantId: string, caller: string): Promise<void> {
    const e = this.config.env;
    await this.ds.query(
      `INSERT INTO voucher_guess_counters AS c (tenant_id, caller, window_start, failures) VALUES ($1, $2, now(), 1)
       ON CONFLICT (tenant_id, caller) DO UPDATE SET
         window_start = CASE WHEN c.window_start < now() - $3 * interval '1 second' THEN now() ELSE c.window_start END,
         failures = CASE WHEN c.window_start < now() - $3 * interval '1 second' THEN 1 ELSE c.failures + 1 END,
         locked_until = CASE
           WHEN c.window_start < now() - $3 * interval '1 second' THEN NULL
           WHEN c.failures + 1 >= $5 THEN now() + $6 * interval '1 second'
           WHEN c.failures + 1 >= $4 THEN now() + least(power(2, c.failures + 1 - $4), 300) * interval '1 second'
           ELSE c.locked_until END`,
      [
        tenantId,
        caller,
        e.VOUCHER_GUESS_WINDOW_SECONDS,
        e.VOUCHER_GUESS_THROTTLE_AFTER,
        e.VOUCHER_GUESS_LOCKOUT_AFTER,
        e.VOUCHER_GUESS_LOCKOUT_SECONDS,
      ],
    );
  }
}
