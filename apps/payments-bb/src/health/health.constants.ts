/** A queue with no jobs, registered only to reach the same Redis connection settings as the workers. */
export const HEALTH_QUEUE = 'health';
