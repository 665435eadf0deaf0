import { ParticipantKind } from '@app/platform';

export interface Participant {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  kind: ParticipantKind;
  scopes: string[];
  status: 'active' | 'disabled';
  clientId: string;
  callbackBases: string[];
  createdAt: Date;
}

/** A participant row plus what authentication needs; never leaves the participants module. */
export interface ParticipantWithSecrets extends Participant {
  clientSecretHash: string;
  apiKeyHash: string;
}
