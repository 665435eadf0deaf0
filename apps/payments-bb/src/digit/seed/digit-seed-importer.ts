import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DigitErrors, DigitException } from '../envelope/digit-exception';
import { Obj } from '../envelope/read';
import { IdGenerator } from '../ids/id-generator';
import { formatId } from '../ids/id-format';
import { readBusinessServices, readTaxHeads } from '../masters/masters-input';
import { MastersRepository } from '../masters/masters.repository';
import { ensureTenants } from '../tenants';

/** Is this JSON a DIGIT MDMS file the import understands (BillingService or common-masters)? */
export function isMdmsFile(v: unknown): v is Obj {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    ['BillingService', 'common-masters'].includes(String((v as Obj).moduleName))
  );
}

/**
 * Seeds DIGIT's billing masters from MDMS files as eGov publishes them (egov-mdms-data:
 * BillingService/BusinessService.json, BillingService/TaxHeadMaster.json, common-masters/IdFormat.json): the
 * file's tenantId applies to every entry that names none. All or nothing; importing a file again updates in place.
 */
@Injectable()
export class DigitSeedImporter {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly masters: MastersRepository,
    private readonly ids: IdGenerator,
  ) {}

  async import(
    file: Obj,
  ): Promise<{ tenantId: string; businessServices: number; taxHeads: number; idFormats: number }> {
    const tenantId = String(file.tenantId ?? '');
    const withTenant = (list: unknown) =>
      Array.isArray(list) ? (list as Obj[]).map((o) => ({ tenantId, ...o })) : [];
    const errors = new DigitErrors();
    const services = readBusinessServices(withTenant(file.BusinessService), errors);
    const heads = readTaxHeads(withTenant(file.TaxHeadMaster), errors);
    const formats = (Array.isArray(file.IdFormat) ? (file.IdFormat as Obj[]) : []).map((f) => ({
      idName: String(f.idname ?? f.idName ?? ''),
      format: String(f.format ?? ''),
    }));
    for (const f of formats) {
      if (!/^[!-~]{1,128}$/.test(f.idName)) errors.add('INVALID_ID_FORMAT', `Bad idname ${f.idName}`);
      await formatId(f.format, { tenantId, next: () => Promise.resolve(1n) }).catch((e: Error) =>
        errors.add('INVALID_ID_FORMAT', `${f.idName}: ${e.message}`),
      );
    }
    try {
      errors.throwIfAny();
    } catch (err) {
      if (err instanceof DigitException)
        throw new Error(err.errors.map((e) => `${e.code}: ${e.message}`).join('; '));
      throw err;
    }
    await this.ds.transaction(async (m) => {
      await ensureTenants(m, [tenantId, ...services.map((s) => s.tenantId), ...heads.map((h) => h.tenantId)]);
      await this.masters.upsertBusinessServices(m, services);
      await this.masters.upsertTaxHeads(m, heads);
      if (formats.length)
        await this.ids.setFormats(
          m,
          tenantId,
          formats.map((f) => ({ ...f, idName: f.idName.toLowerCase() })),
        );
    });
    return { tenantId, businessServices: services.length, taxHeads: heads.length, idFormats: formats.length };
  }
}
