import { Platform1763800000000 } from './1763800000000-platform';
import { Callbacks1763800100000 } from './1763800100000-callbacks';
import { AccountMapper1763800200000 } from './1763800200000-account-mapper';
import { Ledger1763800300000 } from './1763800300000-ledger';
import { Bulk1763800400000 } from './1763800400000-bulk';
import { Vouchers1763800500000 } from './1763800500000-vouchers';
import { P2g1763800600000 } from './1763800600000-p2g';
import { Digit1763800700000 } from './1763800700000-digit';
import { Console1763800800000 } from './1763800800000-console';

/** The one migrations history, in order. Add new migrations at the end. */
export const MIGRATIONS = [
  Platform1763800000000,
  Callbacks1763800100000,
  AccountMapper1763800200000,
  Ledger1763800300000,
  Bulk1763800400000,
  Vouchers1763800500000,
  P2g1763800600000,
  Digit1763800700000,
  Console1763800800000,
];
