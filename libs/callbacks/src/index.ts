export * from './delivery';
export * from './backoff';
export * from './signature';
export {
  matchesCallbackBase,
  isPublicAddress,
  CallbackUrlPolicy,
  HostResolutionError,
  systemHostResolver,
} from './url-policy';
export type { HostResolver } from './url-policy';
export { CALLBACKS_QUEUE, DELIVER_JOB, CALLBACK_HOST_RESOLVER } from './callbacks.constants';
export { deliverJobId } from './callbacks.queue';
export type { DeliverJob } from './callbacks.queue';
export { callbackHeaders } from './callback-sender';
export { CallbacksService } from './callbacks.service';
export { CallbacksRecovery } from './callbacks.recovery';
export { CallbacksModule } from './callbacks.module';
