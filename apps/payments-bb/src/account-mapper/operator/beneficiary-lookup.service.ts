import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, AppException, AuditService, ErrorCode, FieldCipher, hasScope, RequestContext } from '@app/platform';
import { BeneficiariesRepository } from '../beneficiaries.repository';
import { maskFinancialAddress } from '../domain/mask';

/**
 * A support desk's look-up of a payee: every registration of the functional ID in the tenant. The address
 * is personal data: masked unless the caller holds mapper:reveal, and each unmasked answer is audited.
 */
@Injectable()
export class BeneficiaryLookupService {
  constructor(
    private readonly repo: BeneficiariesRepository,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async find(ctx: RequestContext, functionalId: string) {
    const rows = await this.repo.entriesOf(ctx.principal.tenantId, functionalId);
    if (!rows.length) throw new AppException(ErrorCode.NOT_FOUND, 'This functional ID is not registered');
    const reveal = hasScope(ctx.principal, 'mapper:reveal');
    if (reveal)
      await this.audit.record(this.ds.manager, [
        {
          tenantId: ctx.principal.tenantId,
          actor: actorOf(ctx.principal),
          action: 'mapper.beneficiary.reveal',
          objectType: 'beneficiary',
          objectId: functionalId,
          correlationId: ctx.correlationId,
          details: { entries: rows.length },
        },
      ]);
    return {
      functionalId,
      entries: rows.map((r) => {
        const address = r.fa_enc && r.fa_key_id ? this.cipher.open(r.fa_enc, r.fa_key_id) : null;
        return {
          sourceBbCode: r.source_bb_code,
          paymentModality: r.payment_modality,
          institutionCode: r.banking_institution_code,
          financialAddress: address === null ? null : reveal ? address : maskFinancialAddress(address),
          financialAddressMasked: address !== null && !reveal,
          status: r.status,
          updatedAt: r.updated_at.toISOString(),
        };
      }),
    };
  }
}
