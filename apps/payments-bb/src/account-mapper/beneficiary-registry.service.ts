import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor, AuditBatch, AuditService, digestOf, FieldCipher } from '@app/platform';
import { AuditedRow, BeneficiariesRepository, BeneficiaryRow, StoredBeneficiary } from './beneficiaries.repository';
import { BeneficiaryInput } from './domain/beneficiary-input';
import { FailedCase, MapperOutcome } from './domain/failed-case';
import { checkFinancialAddress, inferModality } from './domain/financial-address';
import { isPaymentModality, PaymentModality } from './domain/payment-modality';

/** Whose rows, for which request, on whose behalf: everything the registry writes is scoped by this. */
export interface MapperScope {
  tenantId: string;
  sourceBbId: string;
  requestId: string;
  actor: Actor;
  correlationId?: string;
}

export interface ResolvedBeneficiary {
  functionalId: string;
  modality: string;
  address: string | null;
  institutionCode: string | null;
}

const ADDRESS_CONTEXT = 'financial-address';
/** Rows per insert statement: large enough to amortise a round trip, small enough to overlap with sealing. */
const INSERT_CHUNK = 10_000;
const INSTITUTION_CODE = /^[A-Za-z0-9]{1,11}$/;

/**
 * What the audit digests: the payment data, with the address only as its keyed hash. A flat string
 * rather than an object because 100,000 of them are digested per bulk request.
 */
const auditView = (r: Pick<BeneficiaryRow, 'modality' | 'institutionCode' | 'faHash' | 'status'>) =>
  `modality=${r.modality}|institution=${r.institutionCode ?? ''}|address=${r.faHash?.toString('hex') ?? ''}|status=${r.status}`;

/**
 * The account mapper's rules, shared by the v1 API, the v3 API's worker and the importer. Works on
 * whole request sets: one statement to insert, one to lock-and-read, one to update, one to audit.
 */
@Injectable()
export class BeneficiaryRegistryService {
  constructor(
    private readonly repo: BeneficiariesRepository,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditService,
  ) {}

  /**
   * Registers new functional IDs. A functional ID seen twice in the request, or already registered by
   * this source BB, is a failed case. With `identicalIsUnchanged` (the importer), an existing row with
   * the same data counts as unchanged instead, so re-running an import is a no-op. Each new row gets an
   * audit row (digest of its payment data) in the same statement that inserts it.
   */
  async register(
    m: EntityManager,
    scope: MapperScope,
    items: BeneficiaryInput[],
    opts: { identicalIsUnchanged?: boolean } = {},
  ): Promise<MapperOutcome> {
    const failedCases: FailedCase[] = [];
    const unique = this.firstOfEachId(items, failedCases);
    const rows: AuditedRow[] = [];
    const inserted = new Set<string>();
    const audit = { ...scope, action: 'mapper.beneficiary.register', details: { requestId: scope.requestId } };
    // One statement in flight at a time; while PostgreSQL writes chunk n, Node seals chunk n+1.
    let inFlight: Promise<Set<string>> | undefined;
    for (let from = 0; from < unique.length; from += INSERT_CHUNK) {
      const chunk: AuditedRow[] = [];
      for (const item of unique.slice(from, from + INSERT_CHUNK)) {
        const row = this.toRow(item, failedCases);
        if (row) chunk.push({ ...row, digest: digestOf(auditView(row)) });
      }
      rows.push(...chunk);
      if (inFlight) for (const id of await inFlight) inserted.add(id);
      inFlight = this.repo.insertNewAudited(m, audit, chunk);
      // Handled now so a failure while the next chunk is sealed is not an unhandled rejection; awaiting it still throws.
      inFlight.catch(() => undefined);
      // Let the statement go out before sealing the next chunk.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (inFlight) for (const id of await inFlight) inserted.add(id);
    const clashes = rows.filter((r) => !inserted.has(r.functionalId));
    let unchanged = 0;
    const existing =
      opts.identicalIsUnchanged && clashes.length
        ? await this.repo.findForUpdate(m, scope.tenantId, scope.sourceBbId, clashes.map((r) => r.functionalId))
        : new Map<string, StoredBeneficiary>();
    for (const row of clashes) {
      const current = existing.get(row.functionalId);
      if (current && this.sameData(current, row)) unchanged++;
      else failedCases.push(this.failed(row, 'PayeeFunctionalID is already registered by this source BB'));
    }
    return { applied: inserted.size, unchanged, failedCases };
  }

  /** Changes modality, address, institution code or status of registered functional IDs (never the ID). */
  async update(m: EntityManager, scope: MapperScope, items: BeneficiaryInput[]): Promise<MapperOutcome> {
    const failedCases: FailedCase[] = [];
    const unique = this.firstOfEachId(items, failedCases);
    const existing = await this.repo.findForUpdate(m, scope.tenantId, scope.sourceBbId, unique.map((i) => i.functionalId));
    const updates: { before: StoredBeneficiary; after: BeneficiaryRow }[] = [];
    for (const item of unique) {
      const before = existing.get(item.functionalId);
      if (!before) {
        failedCases.push(this.failed(item, 'PayeeFunctionalID is not registered by this source BB'));
        continue;
      }
      const after = this.applyUpdate(before, item, failedCases);
      if (after) updates.push({ before, after });
    }
    await this.repo.updateMany(m, scope.tenantId, scope.sourceBbId, scope.requestId, updates.map((u) => u.after));
    await this.audit.recordBatch(
      m,
      this.auditBatch(scope, 'mapper.beneficiary.update'),
      updates.map((u) => ({ objectId: this.objectId(scope, u.after.functionalId), before: auditView(u.before), after: auditView(u.after) })),
    );
    return { applied: updates.length, unchanged: 0, failedCases };
  }

  /** Resolves functional IDs to where they are paid; inactive entries do not resolve. */
  async lookup(
    tenantId: string,
    sourceBbId: string,
    functionalIds: string[],
  ): Promise<{ found: ResolvedBeneficiary[]; missing: string[] }> {
    const rows = await this.repo.findActive(tenantId, sourceBbId, functionalIds);
    const byId = new Map(rows.map((r) => [r.functionalId, r]));
    const found: ResolvedBeneficiary[] = [];
    const missing: string[] = [];
    for (const id of functionalIds) {
      const r = byId.get(id);
      if (!r) missing.push(id);
      else
        found.push({
          functionalId: id,
          modality: r.modality,
          institutionCode: r.institutionCode,
          address: r.faEnc && r.faKeyId ? this.cipher.open(r.faEnc, r.faKeyId) : null,
        });
    }
    return { found, missing };
  }

  /** Keeps the first occurrence of each functional ID; later ones become failed cases. */
  private firstOfEachId(items: BeneficiaryInput[], failedCases: FailedCase[]): BeneficiaryInput[] {
    const seen = new Set<string>();
    return items.filter((item) => {
      if (!seen.has(item.functionalId)) return seen.add(item.functionalId);
      failedCases.push(this.failed(item, 'Duplicate PayeeFunctionalID in this request'));
      return false;
    });
  }

  private toRow(item: BeneficiaryInput, failedCases: FailedCase[]): BeneficiaryRow | undefined {
    const modality = item.modality ?? inferModality(item.address);
    if (!modality) {
      failedCases.push(this.failed(item, 'PaymentModality is missing and cannot be inferred from FinancialAddress'));
      return undefined;
    }
    if (!isPaymentModality(modality)) {
      failedCases.push(this.failed(item, `PaymentModality '${modality}' is not one of 00, 01, 02, 03, 04`));
      return undefined;
    }
    return this.buildRow(item.functionalId, modality, item.address, item.institutionCode ?? null, 'active', item, failedCases);
  }

  private applyUpdate(before: StoredBeneficiary, item: BeneficiaryInput, failedCases: FailedCase[]): BeneficiaryRow | undefined {
    const modality = item.modality ?? before.modality;
    if (!isPaymentModality(modality)) {
      failedCases.push(this.failed(item, `PaymentModality '${modality}' is not one of 00, 01, 02, 03, 04`));
      return undefined;
    }
    const status = item.status === undefined ? before.status : item.status === '1' ? 'active' : 'inactive';
    const institution = item.institutionCode ?? before.institutionCode;
    if (item.address === undefined && modality === before.modality) {
      // Address untouched: keep the sealed value as it is, no need to decrypt it.
      if (institution !== null && !INSTITUTION_CODE.test(institution)) {
        failedCases.push(this.failed(item, 'BankingInstitutionCode must be 1-11 letters or digits'));
        return undefined;
      }
      return { ...before, institutionCode: institution, status, functionalId: before.functionalId };
    }
    const address = item.address ?? (before.faEnc && before.faKeyId ? this.cipher.open(before.faEnc, before.faKeyId) : undefined);
    return this.buildRow(before.functionalId, modality, address, institution, status, item, failedCases);
  }

  private buildRow(
    functionalId: string,
    modality: PaymentModality,
    rawAddress: string | undefined,
    institutionCode: string | null,
    status: 'active' | 'inactive',
    item: BeneficiaryInput,
    failedCases: FailedCase[],
  ): BeneficiaryRow | undefined {
    if (institutionCode !== null && !INSTITUTION_CODE.test(institutionCode)) {
      failedCases.push(this.failed(item, 'BankingInstitutionCode must be 1-11 letters or digits'));
      return undefined;
    }
    const check = checkFinancialAddress(modality, rawAddress);
    if (!check.ok) {
      failedCases.push(this.failed({ ...item, modality }, check.reason));
      return undefined;
    }
    const sealed = check.address === null ? null : this.cipher.seal(check.address);
    return {
      functionalId,
      modality,
      institutionCode,
      faEnc: sealed,
      faKeyId: sealed ? this.cipher.keyId : null,
      faHash: check.address === null ? null : this.cipher.blindIndex(check.address, ADDRESS_CONTEXT),
      status,
    };
  }

  private sameData(a: StoredBeneficiary, b: BeneficiaryRow): boolean {
    const hashEq = a.faHash === null ? b.faHash === null : b.faHash !== null && a.faHash.equals(b.faHash);
    return a.modality === b.modality && a.institutionCode === b.institutionCode && hashEq && a.status === b.status;
  }

  private failed(item: { functionalId: string; modality?: string; institutionCode?: string | null }, reason: string): FailedCase {
    return {
      functionalId: item.functionalId,
      ...(item.modality ? { modality: item.modality } : {}),
      ...(item.institutionCode ? { institutionCode: item.institutionCode } : {}),
      reason,
    };
  }

  private auditBatch(scope: MapperScope, action: string): AuditBatch {
    return {
      tenantId: scope.tenantId,
      actor: scope.actor,
      action,
      objectType: 'beneficiary',
      correlationId: scope.correlationId,
      details: { requestId: scope.requestId },
    };
  }

  private objectId(scope: MapperScope, functionalId: string): string {
    return `${scope.sourceBbId}/${functionalId}`;
  }
}
