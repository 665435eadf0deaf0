import { Injectable } from '@nestjs/common';
import { FieldCipher } from '@app/platform';

export interface Payer {
  name?: string | null;
  mobileNumber?: string | null;
  emailId?: string | null;
  address?: string | null;
  uuid?: string | null;
}

const MOBILE_CONTEXT = 'digit-mobile';

/** A payer's name, mobile and e-mail are personal data: sealed at rest, found by a keyed hash of the mobile. */
@Injectable()
export class PayerData {
  constructor(private readonly cipher: FieldCipher) {}

  seal(p: Payer | undefined | null): { enc: Buffer | null; keyId: string | null; mobileHash: Buffer | null } {
    if (!p || Object.values(p).every((v) => v === undefined || v === null || v === ''))
      return { enc: null, keyId: null, mobileHash: null };
    return {
      enc: this.cipher.seal(JSON.stringify(p)),
      keyId: this.cipher.keyId,
      mobileHash: p.mobileNumber ? this.mobileHash(p.mobileNumber) : null,
    };
  }

  open(enc: Buffer | null, keyId: string | null): Payer | null {
    return enc && keyId ? (JSON.parse(this.cipher.open(enc, keyId)) as Payer) : null;
  }

  mobileHash(mobile: string): Buffer {
    return this.cipher.blindIndex(mobile, MOBILE_CONTEXT);
  }
}
