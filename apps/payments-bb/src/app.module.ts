import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CallbacksModule } from '@app/callbacks';
import { DatabaseModule } from '@app/database';
import { LedgerModule } from '@app/ledger';
import { AppConfig, PlatformModule } from '@app/platform';
import { AccountMapperModule } from './account-mapper/account-mapper.module';
import { BulkModule } from './bulk/bulk.module';
import { VouchersModule } from './vouchers/vouchers.module';
import { P2gModule } from './p2g/p2g.module';
import { DigitModule } from './digit/digit.module';
import { MetricsModule } from './metrics/metrics.module';
import { redisOptionsFromUrl } from './bootstrap/redis-options';
import { loggerOptions } from './bootstrap/logger-options';
import { DemoBootstrapService } from './bootstrap/demo-bootstrap.service';
import { HealthModule } from './health/health.module';
import { LedgerApiModule } from './ledger-api/ledger-api.module';
import { ParticipantsModule } from './participants/participants.module';
import { AuditModule } from './audit/audit.module';

/** The whole server. The role decides whether queue processors run in this process. */
@Module({})
export class AppModule {
  static forConfig(config: AppConfig): DynamicModule {
    const workers = config.runsWorkers;
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DatabaseModule,
        BullModule.forRoot({ redis: redisOptionsFromUrl(config.env.REDIS_URL), prefix: config.env.QUEUE_PREFIX }),
        ParticipantsModule,
        HealthModule,
        CallbacksModule.register({ workers }),
        LedgerModule.register({ workers }),
        LedgerApiModule,
        AccountMapperModule.register({ workers }),
        BulkModule.register({ workers }),
        VouchersModule.register({ workers }),
        P2gModule.register({ workers }),
        DigitModule,
        MetricsModule,
        AuditModule,
      ],
      providers: [DemoBootstrapService],
    };
  }
}
