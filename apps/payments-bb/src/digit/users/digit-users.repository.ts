import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DigitRole, DigitUser, DigitUserType } from './digit-user';

interface Row {
  id: string;
  uuid: string;
  tenant_id: string;
  user_name: string;
  password_hash: string;
  name: string;
  type: DigitUserType;
  mobile_number: string | null;
  email_id: string | null;
  roles: DigitRole[];
  active: boolean;
}

const toUser = (r: Row): DigitUser => ({
  id: Number(r.id),
  uuid: r.uuid,
  userName: r.user_name,
  name: r.name,
  type: r.type,
  mobileNumber: r.mobile_number,
  emailId: r.email_id,
  tenantId: r.tenant_id,
  roles: r.roles,
  active: r.active,
});

@Injectable()
export class DigitUsersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(
    u: Omit<DigitUser, 'id' | 'uuid' | 'active'> & { passwordHash: string; createdBy: string },
  ): Promise<DigitUser | undefined> {
    const rows = (await this.ds.query(
      `INSERT INTO digit_users (tenant_id, user_name, password_hash, name, type, mobile_number, email_id, roles, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8::jsonb,$9) ON CONFLICT (tenant_id, user_name, type) DO NOTHING RETURNING *`,
      [
        u.tenantId,
        u.userName,
        u.passwordHash,
        u.name,
        u.type,
        u.mobileNumber,
        u.emailId,
        JSON.stringify(u.roles),
        u.createdBy,
      ],
    )) as Row[];
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /** The user and its password hash, for a login; the tenant may be a city of the user's state-level tenant. */
  async forLogin(
    tenantId: string,
    userName: string,
    type: string,
  ): Promise<{ user: DigitUser; passwordHash: string } | undefined> {
    const state = tenantId.split('.')[0];
    const rows = (await this.ds.query(
      `SELECT * FROM digit_users WHERE user_name = $1 AND type = $2 AND tenant_id IN ($3, $4) ORDER BY (tenant_id = $3) DESC LIMIT 1`,
      [userName, type, tenantId, state],
    )) as Row[];
    return rows[0] ? { user: toUser(rows[0]), passwordHash: rows[0].password_hash } : undefined;
  }

  async byUuid(uuid: string): Promise<DigitUser | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(uuid)) return undefined;
    const rows = (await this.ds.query(`SELECT * FROM digit_users WHERE uuid = $1`, [uuid])) as Row[];
    return rows[0] ? toUser(rows[0]) : undefined;
  }
}
