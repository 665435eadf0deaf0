import { StatementCursor } from '@app/ledger';
import { AppException, ErrorCode } from '@app/platform';

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients: base64url of "createdAt|id", createdAt with PostgreSQL's microseconds. */
export function encodeCursor(c: StatementCursor): string {
  return Buffer.from(`${c.at}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string): StatementCursor {
  const [at = '', id = '', ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (rest.length || !ISO_MICROS.test(at) || !UUID.test(id) || Number.isNaN(Date.parse(at))) {
    const message = 'after must be a nextCursor returned by this API';
    throw new AppException(ErrorCode.VALIDATION_FAILED, message, [message]);
  }
  return { at, id };
}
