import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ParticipantKind } from '@app/platform';
import { ParticipantsService } from '../../apps/payments-bb/src/participants/participants.service';
import { TestApp } from './test-app';

/** A tenant no other test uses. */
export async function createTenant(ds: DataSource): Promise<string> {
  const id = `tn-${randomBytes(5).toString('hex')}`;
  await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $1)`, [id]);
  return id;
}

/** 12 characters, as GovStack v1 wants for RequestID and SourceBBID. */
export const id12 = (prefix = '') => (prefix + randomBytes(8).toString('hex')).slice(0, 12).padEnd(12, '0');

/** 20 characters, as GovStack v1 wants for PayeeFunctionalID. */
export const functionalId = () => `FID${randomBytes(9).toString('hex')}`.slice(0, 20);

export interface TestParticipant {
  id: string;
  code: string;
  tenantId: string;
  apiKey: string;
  clientId: string;
  clientSecret: string;
  callbackSecret: string;
}

export async function createParticipant(
  t: TestApp,
  opts: { tenantId: string; kind: ParticipantKind; code?: string; scopes?: string[]; callbackBases?: string[] },
): Promise<TestParticipant> {
  const code = opts.code ?? id12('P');
  const { participant, credentials } = await t.app.get(ParticipantsService).create({ ...opts, code });
  return { id: participant.id, code, tenantId: opts.tenantId, ...credentials };
}
