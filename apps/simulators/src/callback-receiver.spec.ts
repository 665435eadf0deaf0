import { signCallback } from '@app/callbacks/signature';
import { CallbackReceiver, startCallbackReceiver } from './callback-receiver';

describe('callback receiver simulator', () => {
  let rx: CallbackReceiver;
  const secret = 'sim-secret';

  beforeEach(async () => {
    rx = await startCallbackReceiver({ secret });
  });

  afterEach(() => rx.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${rx.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

  it('records callbacks and checks their signatures', async () => {
    const body = JSON.stringify({ a: 1 });
    const t = Math.floor(Date.now() / 1000);
    expect((await post('/cb/x?y=1', body, { 'X-Signature': signCallback(secret, t, body) })).status).toBe(
      200,
    );
    expect((await post('/cb/x', body, { 'X-Signature': signCallback('wrong', t, body) })).status).toBe(200);
    expect(rx.received.map((c) => [c.path, c.body, c.signatureValid])).toEqual([
      ['/cb/x?y=1', { a: 1 }, true],
      ['/cb/x', { a: 1 }, false],
    ]);
  });

  it('answers 503 while down or for the next n callbacks', async () => {
    rx.setDown(true);
    expect((await post('/cb', '{}')).status).toBe(503);
    rx.setDown(false);
    rx.failNext(2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/cb', '{}')).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('waits for a matching callback, or times out', async () => {
    const waiting = rx.waitFor((c) => c.path === '/cb/later', 2_000);
    await post('/cb/other', '{}');
    await post('/cb/later', '{"late":true}');
    expect((await waiting).body).toEqual({ late: true });
    await expect(rx.waitFor((c) => c.path === '/never', 50)).rejects.toThrow(/No matching callback/);
  });

  it('is driven through its control endpoints', async () => {
    await post('/cb', '{"n":1}');
    const list = (await (await fetch(`${rx.url}/_sim/received`)).json()) as unknown[];
    expect(list).toHaveLength(1);
    expect((await post('/_sim/down', '{"down":true}')).status).toBe(200);
    expect((await post('/cb', '{}')).status).toBe(503);
    expect((await post('/_sim/down', '{"down":"yes"}')).status).toBe(400);
    expect((await post('/_sim/down', '{"down":false}')).status).toBe(200);
    expect((await fetch(`${rx.url}/_sim/received`, { method: 'DELETE' })).status).toBe(204);
    expect(rx.received).toHaveLength(0);
    expect((await fetch(`${rx.url}/_sim/nothing`)).status).toBe(404);
  });
});
