import { Injectable } from '@nestjs/common';
import { AppConfig, FieldCipher } from '@app/platform';
import { generateVoucherNumber } from './voucher-number';

const HASH_CONTEXT = 'voucher-number';

/**
 * The only place voucher numbers exist in clear on the server: drawn here, found by their keyed hash (the field
 * hash key: without it a stolen table gives nothing to try), and kept encrypted so they can be handed out at
 * pre-activation or printed again. Nothing here logs.
 */
@Injectable()
export class VoucherSecrets {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly config: AppConfig,
  ) {}

  get keyId(): string {
    return this.cipher.keyId;
  }

  draw(): string {
    return generateVoucherNumber(this.config.env.VOUCHER_NUMBER_DIGITS);
  }

  hash(number: string): Buffer {
    return this.cipher.blindIndex(number, HASH_CONTEXT);
  }

  seal(number: string): Buffer {
    return this.cipher.seal(number);
  }

  open(sealed: Buffer, keyId: string): string {
    return this.cipher.open(sealed, keyId);
  }
}
