import { createValidationPipe } from '@app/platform';

const pipe = createValidationPipe();

/** The global pipe's checks, for a route whose body type depends on who calls it. */
export async function validateBody<T>(dto: new () => T, body: unknown): Promise<T> {
  return (await pipe.transform(body, { type: 'body', metatype: dto })) as T;
}
