import 'reflect-metadata';
import { PARTICIPANT_KINDS, ParticipantKind, SCOPES } from '@app/platform';
import { ParticipantsService } from '../participants/participants.service';
import { exitWith, parseFlags, withCliContext } from './cli-context';

const USAGE = `Usage: npm run client:create -- --tenant ID --code CODE --kind KIND [--name NAME]
         [--scopes a,b] [--callback-base URL]...
Kinds: ${PARTICIPANT_KINDS.join(', ')}. Scopes: ${SCOPES.join(', ')}.
Prints the new client's credentials once, as JSON on standard output; they are stored only hashed.`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const one = (n: string) => flags.get(n)?.[0];
  const tenantId = one('tenant');
  const code = one('code');
  const kind = one('kind') as ParticipantKind | undefined;
  if (flags.has('help') || !tenantId || !code || !kind) exitWith(USAGE, flags.has('help') ? 0 : 2);
  if (!PARTICIPANT_KINDS.includes(kind)) exitWith(`Unknown kind '${kind}'.\n${USAGE}`, 2);
  const scopes = one('scopes')?.split(',').filter(Boolean);
  const unknown = scopes?.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown?.length) exitWith(`Unknown scopes: ${unknown.join(', ')}.\n${USAGE}`, 2);
  await withCliContext(async (ctx) => {
    const created = await ctx
      .get(ParticipantsService)
      .create({ tenantId, code, kind, name: one('name'), scopes, callbackBases: flags.get('callback-base') });
    process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
  });
}

main().catch((err: unknown) => exitWith(`client:create failed: ${(err as Error).message}`));
