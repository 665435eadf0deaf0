import { QueryTabs } from '../../components/Tabs';
import { useRoute } from '../../router';
import { PageHeader } from '../../ui';
import { Advices } from './Advices';
import { BillLookup } from './BillLookup';
import { Billers } from './Billers';
import { PayerFis } from './PayerFis';
import { SettlementReports } from './SettlementReports';

const TABS = [
  ['billers', 'Billers'],
  ['payer-fis', 'Payer FIs'],
  ['bill', 'Bill look-up'],
  ['advices', 'Advice queue'],
  ['reports', 'Settlement & reconciliation'],
] as const;

/** P2G bill payments, one tab each: the biller registry, payer FIs, a bill, the advice queue, the daily reports. */
export function BillsPage() {
  const route = useRoute();
  const tab = route.query.get('tab') ?? 'billers';
  return (
    <div className="page">
      <PageHeader title="Bills & billers" sub="P2G bill payments: the biller registry, payer FIs, advices to billers and the daily reports." />
      <QueryTabs tabs={TABS} current={tab} reset={['status']} />
      {tab === 'billers' && <Billers />}
      {tab === 'payer-fis' && <PayerFis />}
      {tab === 'bill' && <BillLookup />}
      {tab === 'advices' && <Advices />}
      {tab === 'reports' && <SettlementReports />}
    </div>
  );
}
