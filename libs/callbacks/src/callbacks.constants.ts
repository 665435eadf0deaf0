/** Bull queue and job names; the queue is registered by CallbacksModule, its prefix comes from QUEUE_PREFIX. */
export const CALLBACKS_QUEUE = 'callbacks';
export const DELIVER_JOB = 'deliver';

/** How many deliveries one worker process sends at once. Deliveries are I/O bound, so this can be generous. */
export const DELIVERY_CONCURRENCY = 10;

/** Added to the send deadlines for the claim lock, so a slow commit after the send cannot let a second worker in. */
export const LOCK_MARGIN_MS = 5_000;

/** dispatch() and the retry enqueue give up after this long when Redis does not answer; recovery catches up. */
export const ENQUEUE_TIMEOUT_MS = 2_000;

/** Rows a single recovery pass re-enqueues; the next pass takes the rest. */
export const RECOVERY_BATCH = 500;

/** Stored error texts are cut to this length: they are for operators, not a place for response bodies. */
export const MAX_ERROR_CHARS = 300;

/** Signatures older or newer than this are rejected by verifyCallbackSignature by default (receivers' clock skew). */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

/** Token for the host resolver, so tests can answer DNS questions without a network. */
export const CALLBACK_HOST_RESOLVER = Symbol('CALLBACK_HOST_RESOLVER');
