import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, AppException, AuditService, ErrorCode } from '@app/platform';
import { CallbacksQueue } from './callbacks.queue';
import { CallbacksRepository, CallbackTarget, DueDelivery, NewDelivery } from './callbacks.repository';
import { CallbacksService } from './callbacks.service';
import { HostResolver } from './url-policy';

const PARTICIPANT = '3f0c1a52-5a8e-4a53-9e0e-2b7f4b1f0d11';
const target: CallbackTarget = {
  bases: ['https://a.example/cb'],
  secretEnc: Buffer.alloc(0),
  secretKeyId: 'k1',
};

function setup(
  opts: { allowPrivate?: boolean; dns?: Record<string, string[]>; pending?: DueDelivery[] | Error } = {},
) {
  const inserted: NewDelivery[] = [];
  const repo = {
    findTarget: jest.fn(async (tenantId: string, id: string) =>
      tenantId === 't1' && id === PARTICIPANT ? target : undefined,
    ),
    insert: jest.fn(async (_m: EntityManager, d: NewDelivery) => {
      inserted.push(d);
      return 'new-id';
    }),
    findPending: jest.fn(async () => {
      if (opts.pending instanceof Error) throw opts.pending;
      return opts.pending ?? [];
    }),
  };
  const queue = { enqueueMany: jest.fn(async (items: DueDelivery[]) => items.length) };
  const config = AppConfig.load({
    CALLBACK_ALLOW_PRIVATE_TARGETS: opts.allowPrivate ? 'true' : 'false',
    CALLBACK_MAX_ATTEMPTS: '5',
    NODE_ENV: 'test',
    FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    FIELD_HASH_KEY: Buffer.alloc(32, 2).toString('base64'),
  });
  const table = opts.dns ?? { 'a.example': ['93.184.216.34'] };
  const resolver: HostResolver = async (h) => table[h] ?? [];
  const service = new CallbacksService(
    repo as unknown as CallbacksRepository,
    queue as unknown as CallbacksQueue,
    config,
    resolver,
    new AuditService(),
    {} as DataSource,
  );
  return { service, repo, queue, inserted };
}

const manager = {} as EntityManager;

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof AppException ? e.code : undefined),
  );
}

describe('CallbacksService.assertUrlAllowed', () => {
  it('passes a URL under the participant’s base that resolves publicly', async () => {
    await expect(
      setup().service.assertUrlAllowed('t1', PARTICIPANT, 'https://a.example/cb/x'),
    ).resolves.toBeUndefined();
  });

  it('uses the injected resolver: a private answer is refused unless allowed', async () => {
    const dns = { 'a.example': ['10.0.0.8'] };
    expect(
      await codeOf(setup({ dns }).service.assertUrlAllowed('t1', PARTICIPANT, 'https://a.example/cb')),
    ).toBe(ErrorCode.CALLBACK_URL_NOT_ALLOWED);
    await expect(
      setup({ dns, allowPrivate: true }).service.assertUrlAllowed('t1', PARTICIPANT, 'https://a.example/cb'),
    ).resolves.toBeUndefined();
  });

  it('refuses when the participant is unknown in this tenant or not a UUID', async () => {
    const { service, repo } = setup();
    expect(await codeOf(service.assertUrlAllowed('t2', PARTICIPANT, 'https://a.example/cb'))).toBe(
      ErrorCode.CALLBACK_URL_NOT_ALLOWED,
    );
    expect(await codeOf(service.assertUrlAllowed('t1', 'nope', 'https://a.example/cb'))).toBe(
      ErrorCode.CALLBACK_URL_NOT_ALLOWED,
    );
    expect(repo.findTarget).toHaveBeenCalledTimes(1);
  });
});

describe('CallbacksService.schedule', () => {
  const cb = {
    tenantId: 't1',
    participantId: PARTICIPANT,
    url: 'https://a.example/cb/r',
    eventType: 'mapper.done',
    payload: { a: 1 },
  };

  it('inserts a POST with the configured budget and a generated correlation ID', async () => {
    const { service, inserted } = setup();
    await expect(service.schedule(manager, cb)).resolves.toBe('new-id');
    expect(inserted[0]).toMatchObject({
      method: 'POST',
      maxAttempts: 5,
      payloadJson: '{"a":1}',
      eventType: 'mapper.done',
    });
    expect(inserted[0].correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a sane correlation ID and replaces one that could not go in a header', async () => {
    const { service, inserted } = setup();
    await service.schedule(manager, { ...cb, correlationId: 'corr-1', method: 'PUT' });
    await service.schedule(manager, { ...cb, correlationId: 'bad\r\nX-Injected: 1' });
    expect(inserted[0]).toMatchObject({ correlationId: 'corr-1', method: 'PUT' });
    expect(inserted[1].correlationId).not.toContain('\n');
  });

  it('refuses URLs outside the bases, unknown recipients and bad event types, without inserting', async () => {
    const { service, inserted } = setup();
    expect(await codeOf(service.schedule(manager, { ...cb, url: 'https://a.example/cbx' }))).toBe(
      ErrorCode.CALLBACK_URL_NOT_ALLOWED,
    );
    expect(await codeOf(service.schedule(manager, { ...cb, tenantId: 't2' }))).toBe(ErrorCode.NOT_FOUND);
    expect(await codeOf(service.schedule(manager, { ...cb, eventType: 'has space' }))).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
    expect(inserted).toHaveLength(0);
  });
});

describe('CallbacksService.dispatch', () => {
  it('enqueues the pending ones', async () => {
    const pending = [{ id: PARTICIPANT, nextAttempt: 1, delayMs: 0 }];
    const { service, queue } = setup({ pending });
    await service.dispatch([PARTICIPANT, 'not-a-uuid']);
    expect(queue.enqueueMany).toHaveBeenCalledWith(pending);
  });

  it('never throws, even when the database lookup fails, and warns with IDs only', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { service, queue } = setup({ pending: new Error('connection to secret-host lost') });
      await expect(service.dispatch([PARTICIPANT])).resolves.toBeUndefined();
      expect(queue.enqueueMany).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(PARTICIPANT));
      expect(warn).not.toHaveBeenCalledWith(expect.stringContaining('secret-host'));
    } finally {
      warn.mockRestore();
    }
  });
});
