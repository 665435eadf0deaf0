import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { FieldCipher } from './crypto/field-cipher';
import { IdempotencyService } from './idempotency/idempotency.service';
import { AuditService } from './audit/audit.service';

/** Configuration, crypto, idempotency and audit, available to every module. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    const s = config.secrets;
    return {
      module: PlatformModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: FieldCipher, useValue: new FieldCipher(s.fieldKeyId, s.fieldKey, s.retiredFieldKeys, s.fieldHashKey) },
        IdempotencyService,
        AuditService,
      ],
      exports: [AppConfig, FieldCipher, IdempotencyService, AuditService],
    };
  }
}
