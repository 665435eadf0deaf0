import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { OperatorsService } from '../operators/operators.service';
import { operatorView } from '../operators/operator';
import { isOperatorRole, OPERATOR_ROLES } from '../operators/roles';
import { exitWith, parseFlags, withCliContext } from './cli-context';

const USAGE = `Usage: npm run operator:create -- --tenant ID --username NAME --role ROLE [--name "Display Name"]
Roles: ${OPERATOR_ROLES.join(', ')}. Creates a console operator (docs/console.md) with a generated password,
printed once as JSON on standard output (stored only as a scrypt hash); the first admin of a tenant is made
this way, the others by that admin in the console.`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const one = (n: string) => flags.get(n)?.[0];
  const [tenantId, username, role] = [one('tenant'), one('username'), one('role')];
  if (flags.has('help') || !tenantId || !username || !role) exitWith(USAGE, flags.has('help') ? 0 : 2);
  if (!isOperatorRole(role)) exitWith(`Unknown role '${role}'.\n${USAGE}`, 2);
  const password = randomBytes(18).toString('base64url');
  await withCliContext(async (ctx) => {
    const o = await ctx
      .get(OperatorsService)
      .create({ tenantId, username, role, displayName: one('name') ?? username, password }, { id: 'system:cli', kind: 'system' });
    process.stdout.write(`${JSON.stringify({ operator: operatorView(o), password }, null, 2)}\n`);
  });
}

main().catch((err: unknown) => exitWith(`operator:create failed: ${(err as Error).message}`));
