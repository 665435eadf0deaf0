import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Actor,
  AppConfig,
  AppException,
  AuditService,
  decryptJwe,
  encryptJwe,
  ErrorCode,
  JweError,
  privateKeyFromPem,
  publicJwkOf,
  publicKeyFromJwk,
} from '@app/platform';

/**
 * Keys for encrypted voucher files (JWE, RSA-OAEP-256 + A256GCM). Partners encrypt to this server's public key
 * (its private half comes from VOUCHER_JWE_PRIVATE_KEY); this server encrypts answers and voucher numbers to the
 * public key each partner registered. Exchanging keys out of band is the operators' step the spec asks for.
 */
@Injectable()
export class PartnerKeysService {
  private readonly serverKey?: KeyObject;
  private readonly serverKid: string;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    const raw = config.env.VOUCHER_JWE_PRIVATE_KEY;
    if (raw)
      this.serverKey = privateKeyFromPem(
        raw.includes('-----BEGIN') ? raw : Buffer.from(raw, 'base64').toString('utf8'),
      );
    this.serverKid = config.env.VOUCHER_JWE_KEY_ID ?? 'payments-bb-vouchers';
  }

  serverPublicJwk() {
    return publicJwkOf(this.requireServerKey(), this.serverKid);
  }

  decrypt(compact: string): Buffer {
    try {
      return decryptJwe(compact, this.requireServerKey()).plaintext;
    } catch (err) {
      if (err instanceof JweError)
        throw new AppException(
          ErrorCode.VALIDATION_FAILED,
          `The encrypted file could not be read: ${err.message}`,
        );
      throw err;
    }
  }

  async encryptFor(participantId: string, plaintext: string): Promise<string> {
    const row = await this.find(participantId);
    if (!row)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'No encryption key is registered for this building block (PUT /voucher-keys/{code})',
      );
    return encryptJwe(plaintext, publicKeyFromJwk(row.jwk), { kid: row.kid, cty: 'application/json' });
  }

  async hasKey(participantId: string): Promise<boolean> {
    return (await this.find(participantId)) !== undefined;
  }

  async register(
    tenantId: string,
    participantId: string,
    jwk: unknown,
    actor: Actor,
    correlationId?: string,
  ): Promise<{ kid: string }> {
    try {
      publicKeyFromJwk(jwk);
    } catch (err) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, `jwk: ${(err as Error).message}`);
    }
    const kid =
      typeof (jwk as { kid?: unknown }).kid === 'string'
        ? (jwk as { kid: string }).kid.slice(0, 100)
        : `key-${Date.now()}`;
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO partner_encryption_keys (participant_id, tenant_id, kid, jwk) VALUES ($1,$2,$3,$4)
         ON CONFLICT (participant_id) DO UPDATE SET kid = EXCLUDED.kid, jwk = EXCLUDED.jwk, updated_at = now()`,
        [participantId, tenantId, kid, JSON.stringify(jwk)],
      );
      await this.audit.record(m, [
        {
          tenantId,
          actor,
          action: 'voucher_key.register',
          objectType: 'participant',
          objectId: participantId,
          correlationId,
          details: { kid },
        },
      ]);
    });
    return { kid };
  }

  private async find(participantId: string): Promise<{ kid: string; jwk: unknown } | undefined> {
    const rows = (await this.ds.query(
      `SELECT kid, jwk FROM partner_encryption_keys WHERE participant_id = $1`,
      [participantId],
    )) as { kid: string; jwk: unknown }[];
    return rows[0];
  }

  private requireServerKey(): KeyObject {
    if (!this.serverKey)
      throw new AppException(
        ErrorCode.INTERNAL,
        'Encrypted voucher files are not configured on this server (VOUCHER_JWE_PRIVATE_KEY)',
        undefined,
        503,
      );
    return this.serverKey;
  }
}
