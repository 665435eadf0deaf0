import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor, AuditService } from '@app/platform';
import { VouchersRepository } from '../../vouchers/lifecycle/vouchers.repository';

/** A voucher whose bill payment the biller rejected is usable again (its value is back in the liability account). */
@Injectable()
export class VoucherReinstatement {
  constructor(
    private readonly vouchers: VouchersRepository,
    private readonly audit: AuditService,
  ) {}

  async reinstate(m: EntityManager, tenantId: string, voucherId: string, actor: Actor): Promise<void> {
    if (!(await this.vouchers.reinstate(m, voucherId, 'bill payment rejected by the biller'))) return;
    await this.audit.record(m, [
      {
        tenantId,
        actor,
        action: 'voucher.reinstate',
        objectType: 'voucher',
        objectId: voucherId,
        details: { why: 'bill payment rejected' },
      },
    ]);
  }
}
