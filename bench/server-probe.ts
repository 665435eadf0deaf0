import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Preloaded (`node -r`) into a server that bench/bulk.bench.ts spawns with an IPC channel, when it is asked for
 * a memory breakdown or a CPU profile. Every message carries an `id` and is answered with the same `id`:
 *   {op: 'memory'}              → {memory: process.memoryUsage()}
 *   {op: 'gc'}                  → a full garbage collection (node --expose-gc), then {memory: process.memoryUsage()}
 *   {op: 'profile-start'}       → the V8 CPU profiler runs (only the measured phases, not the boot)
 *   {op: 'profile-stop', file}  → the .cpuprofile is written to `file`
 * The bench transpiles this file to plain JavaScript, so a compiled server (dist/) does not load ts-node for it.
 */
interface ProbeMessage {
  id?: number;
  op?: 'memory' | 'gc' | 'profile-start' | 'profile-stop';
  file?: string;
}

const session = new Session();
let connected = false;
const post = (method: string, params: object = {}) =>
  new Promise<unknown>((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );

async function handle(msg: ProbeMessage): Promise<object> {
  switch (msg.op) {
    case 'memory':
      return { memory: process.memoryUsage() };
    case 'gc': {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error('the server was started without --expose-gc');
      gc();
      return { memory: process.memoryUsage() };
    }
    case 'profile-start':
      if (!connected) session.connect();
      connected = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
      return { started: true };
    case 'profile-stop': {
      const res = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(msg.file!, JSON.stringify(res.profile));
      return { file: msg.file };
    }
    default:
      throw new Error(`unknown probe operation '${String(msg.op)}'`);
  }
}

process.on('message', (raw: unknown) => {
  const msg = raw as ProbeMessage;
  if (typeof msg?.id !== 'number') return;
  handle(msg).then(
    (answer) => process.send?.({ id: msg.id, ...answer }),
    (err: unknown) => process.send?.({ id: msg.id, error: String(err) }),
  );
});
// The channel must not keep a server that is asked to stop alive.
process.channel?.unref();
