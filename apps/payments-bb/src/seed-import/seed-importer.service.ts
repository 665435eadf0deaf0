import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BeneficiaryRegistryService } from '../account-mapper/beneficiary-registry.service';
import { ParticipantsService } from '../participants/participants.service';
import { SeedFile } from './seed-file';
import { VoucherSeedError, VoucherSeedImporter } from './voucher-seed-importer';

export interface ImportReport {
  tenantId: string;
  sourcesCreated: string[];
  registered: number;
  unchanged: number;
  merchants: number;
  merchantsUnchanged: number;
  vouchers: number;
  /** Minor units moved from the group's program to its liability account for the outstanding vouchers. */
  vouchersFunded: string;
  skipped: Record<string, number>;
}

export class SeedConflictError extends Error {}

const IMPORT_ACTOR = { id: 'seed-import', kind: 'system' };

/**
 * Loads a parsed seed file in one transaction: source BBs are registered if missing, beneficiaries
 * registered with the mapper's own rules. Identical rows already present are left alone (so a re-run
 * changes nothing); any other failure rolls the whole import back and names the entry at fault.
 */
@Injectable()
export class SeedImporterService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly participants: ParticipantsService,
    private readonly registry: BeneficiaryRegistryService,
    private readonly voucherSeed: VoucherSeedImporter,
  ) {}

  async import(
    tenantId: string,
    seed: SeedFile,
    opts: { voucherGroup?: string } = {},
  ): Promise<ImportReport> {
    return this.ds.transaction(async (m) => {
      const report: ImportReport = {
        tenantId,
        sourcesCreated: [],
        registered: 0,
        unchanged: 0,
        merchants: 0,
        merchantsUnchanged: 0,
        vouchers: 0,
        vouchersFunded: '0',
        skipped: seed.skipped,
      };
      const sourceIds = new Map<string, string>();
      for (const entry of seed.g2p) {
        const sourceBbId = await this.sourceId(m, tenantId, entry.sourceBbId, sourceIds, report);
        const outcome = await this.registry.register(
          m,
          { tenantId, sourceBbId, requestId: entry.requestId, actor: IMPORT_ACTOR },
          entry.beneficiaries,
          { identicalIsUnchanged: true },
        );
        if (outcome.failedCases.length) {
          const f = outcome.failedCases[0];
          const j = entry.beneficiaries.findIndex((b) => b.functionalId === f.functionalId);
          throw new SeedConflictError(
            `g2p[${entry.index}].Beneficiaries[${j}] (${f.functionalId}): ${f.reason}`,
          );
        }
        report.registered += outcome.applied;
        report.unchanged += outcome.unchanged;
      }
      // Vouchers need a group (currency, program funds): without --voucher-group they are reported, not loaded.
      if (seed.vouchers.length && !opts.voucherGroup)
        report.skipped = { ...report.skipped, 'vouchers (no --voucher-group)': seed.vouchers.length };
      const merchants = await this.voucherSeed.merchantsPart(m, tenantId, seed.merchants, IMPORT_ACTOR);
      report.merchants = merchants.merchants;
      report.merchantsUnchanged = merchants.unchanged;
      try {
        const vouchers = await this.voucherSeed.vouchersPart(
          m,
          tenantId,
          opts.voucherGroup,
          seed.vouchers,
          (code) => this.sourceId(m, tenantId, code, sourceIds, report),
          IMPORT_ACTOR,
        );
        report.vouchers = vouchers.vouchers;
        report.vouchersFunded = vouchers.funded;
      } catch (err) {
        if (err instanceof VoucherSeedError) throw new SeedConflictError(err.message);
        throw err;
      }
      return report;
    });
  }

  private async sourceId(
    m: EntityManager,
    tenantId: string,
    code: string,
    cache: Map<string, string>,
    report: ImportReport,
  ) {
    const cached = cache.get(code);
    if (cached) return cached;
    const existing = await this.participants.findActive(tenantId, code, ['source_bb', 'registration_bb'], m);
    const id = existing
      ? existing.id
      : (await this.participants.create({ tenantId, code, kind: 'source_bb' }, undefined, m)).participant.id;
    if (!existing) report.sourcesCreated.push(code);
    cache.set(code, id);
    return id;
  }
}
