import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { CallbackDeliverer } from './callback-deliverer';
import { CALLBACK_HOST_RESOLVER, CALLBACKS_QUEUE } from './callbacks.constants';
import { CallbacksController } from './callbacks.controller';
import { CallbacksProcessor } from './callbacks.processor';
import { CallbacksQueue, DELIVER_JOB_OPTIONS } from './callbacks.queue';
import { CallbacksRecovery } from './callbacks.recovery';
import { CallbacksRepository } from './callbacks.repository';
import { CallbacksService } from './callbacks.service';
import { systemHostResolver } from './url-policy';

/**
 * Outbound callbacks. Register once in the app module (it is global, so feature modules can inject
 * CallbacksService without importing it). `workers: true` adds the Bull processor and the recovery loop; an
 * API-only process still schedules and dispatches, and leaves sending to the worker processes.
 * Expects AppConfig and FieldCipher (PlatformModule), a TypeORM DataSource and BullModule.forRoot*.
 */
@Module({})
export class CallbacksModule {
  static register(opts: { workers: boolean }): DynamicModule {
    const workerProviders: Provider[] = opts.workers
      ? [CallbackDeliverer, CallbacksProcessor, CallbacksRecovery]
      : [];
    return {
      module: CallbacksModule,
      global: true,
      imports: [BullModule.registerQueue({ name: CALLBACKS_QUEUE, defaultJobOptions: DELIVER_JOB_OPTIONS })],
      controllers: [CallbacksController],
      providers: [
        CallbacksRepository,
        CallbacksQueue,
        CallbacksService,
        { provide: CALLBACK_HOST_RESOLVER, useValue: systemHostResolver },
        ...workerProviders,
      ],
      exports: [CallbacksService],
    };
  }
}
