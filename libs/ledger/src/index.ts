export * from './ledger.types';
export * from './ledger.rules';
export * from './ledger.errors';
export { LedgerService } from './ledger.service';
export { LedgerModule } from './ledger.module';
export * from './reconciliation.repository';
export * from './reconciliation.service';
