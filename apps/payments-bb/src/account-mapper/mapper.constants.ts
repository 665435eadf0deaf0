export const MAPPER_QUEUE = 'mapper';
export const PROCESS_REQUEST_JOB = 'process-request';

export interface ProcessRequestJob {
  mapperRequestId: string;
}
