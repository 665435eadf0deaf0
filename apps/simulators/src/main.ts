import { startCallbackReceiver } from './callback-receiver';

/**
 * The project's stand-ins for the outside world, for local runs and demos. SIM_CALLBACK_SECRET, when set,
 * makes the receiver check X-Signature (the secret the server issued to the client whose callbacks land here).
 */
async function main(): Promise<void> {
  const port = Number(process.env.SIM_CALLBACK_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('SIM_CALLBACK_PORT must be a port number');
  const receiver = await startCallbackReceiver({
    port,
    host: process.env.SIM_HOST ?? '127.0.0.1',
    secret: process.env.SIM_CALLBACK_SECRET || undefined,
  });
  process.stdout.write(
    `Callback receiver listening on ${receiver.url} ` +
      `(GET ${receiver.url}/_sim/received, POST ${receiver.url}/_sim/down {"down":true}, DELETE ${receiver.url}/_sim/received)\n`,
  );
  const stop = () => {
    void receiver.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`Simulators failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
