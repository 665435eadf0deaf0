import { randomBytes } from 'node:crypto';
import { as } from './bulk-fixtures';
import { createParticipant, createTenant } from './factories';
import { TestApp } from './test-app';

/** A DIGIT state tenant with a city, a SUPERUSER, a counter EMPLOYEE and a citizen, each with a token. */
export interface DigitWorld {
  state: string;
  city: string;
  superToken: string;
  employeeToken: string;
  citizenToken: string;
  citizenUuid: string;
}

export const BASIC = `Basic ${Buffer.from('egov-user-client:').toString('base64')}`;

export const ri = (authToken?: string) => ({
  RequestInfo: {
    apiId: 'Rainmaker',
    ver: '.01',
    ts: Date.now(),
    action: '_create',
    msgId: `${Date.now()}|en_IN`,
    ...(authToken ? { authToken } : {}),
  },
});

export async function digitToken(
  t: TestApp,
  tenantId: string,
  username: string,
  password: string,
  userType = 'EMPLOYEE',
) {
  const res = await t
    .http()
    .post('/user/oauth/token')
    .set('Authorization', BASIC)
    .type('form')
    .send({ grant_type: 'password', scope: 'read', username, password, tenantId, userType });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; UserRequest: { uuid: string } };
}

export async function createDigitWorld(
  t: TestApp,
  o: { services?: unknown[]; taxHeads?: unknown[] } = {},
): Promise<DigitWorld> {
  const platformTenant = await createTenant(t.ds);
  const operator = await createParticipant(t, { tenantId: platformTenant, kind: 'operator' });
  const state = `pb${randomBytes(3).toString('hex')}`;
  const city = `${state}.amritsar`;
  const password = 'correct horse battery';
  const users = [
    {
      userName: 'admin',
      type: 'EMPLOYEE',
      roles: [
        { code: 'SUPERUSER', tenantId: state },
        { code: 'EMPLOYEE', tenantId: state },
      ],
    },
    {
      userName: 'counter1',
      type: 'EMPLOYEE',
      roles: [
        { code: 'EMPLOYEE', tenantId: state },
        { code: 'COLL_OPERATOR', tenantId: state },
      ],
    },
    { userName: '9876543210', type: 'CITIZEN', roles: [{ code: 'CITIZEN', tenantId: state }] },
  ];
  for (const u of users) {
    const res = await t
      .http()
      .post('/digit/users')
      .set(as(operator))
      .send({ tenantId: state, password, name: u.userName, ...u });
    if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const superToken = (await digitToken(t, city, 'admin', password)).access_token;
  const employeeToken = (await digitToken(t, city, 'counter1', password)).access_token;
  const citizen = await digitToken(t, city, '9876543210', password, 'CITIZEN');
  const bs = await t
    .http()
    .post('/billing-service/businessservices/_create')
    .send({
      ...ri(superToken),
      BusinessServiceDetails: o.services ?? [
        {
          tenantId: state,
          businessService: 'WaterCharges',
          code: 'WS',
          partPaymentAllowed: false,
          isAdvanceAllowed: true,
          collectionModesNotAllowed: ['DD'],
        },
        {
          tenantId: state,
          businessService: 'PropertyTax',
          code: 'PT',
          partPaymentAllowed: true,
          minAmountPayable: 100,
          isAdvanceAllowed: false,
          collectionModesNotAllowed: [],
        },
      ],
    });
  if (bs.status !== 201) throw new Error(`business services: ${bs.status} ${JSON.stringify(bs.body)}`);
  const th = await t
    .http()
    .post('/billing-service/taxheads/_create')
    .send({
      ...ri(superToken),
      TaxHeadMasters: o.taxHeads ?? [
        {
          tenantId: state,
          service: 'WS',
          code: 'WS_CHARGE',
          name: 'Water charge',
          category: 'CHARGES',
          order: 2,
        },
        {
          tenantId: state,
          service: 'WS',
          code: 'WS_TIME_PENALTY',
          name: 'Late payment',
          category: 'PENALTY',
          order: 1,
        },
        {
          tenantId: state,
          service: 'WS',
          code: 'WS_ADVANCE_CARRYFORWARD',
          name: 'Advance',
          category: 'ADVANCE_COLLECTION',
          order: 0,
        },
        { tenantId: state, service: 'PT', code: 'PT_TAX', name: 'Property tax', category: 'TAX', order: 2 },
        { tenantId: state, service: 'PT', code: 'PT_REBATE', name: 'Rebate', category: 'REBATE', order: 0 },
      ],
    });
  if (th.status !== 201) throw new Error(`tax heads: ${th.status} ${JSON.stringify(th.body)}`);
  return {
    state,
    city,
    superToken,
    employeeToken,
    citizenToken: citizen.access_token,
    citizenUuid: citizen.UserRequest.uuid,
  };
}

let n = 0;
export const consumerCode = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${n++}`;

export async function createDemand(
  t: TestApp,
  w: DigitWorld,
  service: string,
  consumer: string,
  details: [string, number][],
  extra: Record<string, unknown> = {},
) {
  const res = await t
    .http()
    .post('/billing-service/demand/_create')
    .send({
      ...ri(w.employeeToken),
      Demands: [
        {
          tenantId: w.city,
          consumerCode: consumer,
          consumerType: 'BUILDING',
          businessService: service,
          payer: { name: 'Asha Devi', mobileNumber: '9876543210' },
          taxPeriodFrom: Date.parse('2026-04-01T00:00:00Z'),
          taxPeriodTo: Date.parse('2027-03-31T23:59:59Z'),
          demandDetails: details.map(([code, amount]) => ({
            taxHeadMasterCode: code,
            taxAmount: amount,
            collectionAmount: 0,
          })),
          ...extra,
        },
      ],
    });
  if (res.status !== 201) throw new Error(`demand: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.Demands[0];
}

export async function fetchBill(
  t: TestApp,
  w: DigitWorld,
  service: string,
  consumer: string,
  token = w.employeeToken,
) {
  return t
    .http()
    .post(
      `/billing-service/bill/v2/_fetchbill?tenantId=${w.city}&businessService=${service}&consumerCode=${consumer}`,
    )
    .send(ri(token));
}
