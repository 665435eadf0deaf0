import { useEffect, useMemo, useState } from 'react';
import { api, seg, type ApiError } from '../api';
import { DataTable, num } from '../components/DataTable';
import { LoadMore } from '../components/LoadMore';
import { QueryTabs } from '../components/Tabs';
import { asApiError, useCursorList, useGet } from '../hooks';
import { href, useRoute } from '../router';
import type { LedgerAccount, Reconciliation, StatementLine } from '../types';
import { Async, Banner, Card, ErrorBanner, Facts, Loading, PageHeader, StatusBadge, TableWrap } from '../ui';
import { dateTime, humanize, money, shortId, sumDecimals } from '../format';

const PAGE = 500;

/** Who an account belongs to, from its code: `program:CASH:funding` → program CASH. */
function ownerOf(a: LedgerAccount): string {
  const [kind, name] = a.code.split(':');
  switch (kind) {
    case 'program':
      return `Program ${name}`;
    case 'voucher-group':
      return `Voucher group ${name}`;
    case 'fsp':
      return `Payer FSP ${name}`;
    case 'p2g':
      return `Bill payments${a.code.split(':')[2] ? ` · ${a.code.split(':')[2]}` : ''}`;
    default:
      return humanize(a.kind);
  }
}

const TABS = [
  ['balances', 'Balances'],
  ['reconciliation', 'Reconciliation'],
] as const;

export function LedgerPage() {
  const route = useRoute();
  const tab = route.query.get('tab') ?? 'balances';
  return (
    <div className="page">
      <PageHeader title="Ledger" sub="Balances of the double-entry ledger. Amounts are exact, as the ledger keeps them." />
      <QueryTabs tabs={TABS} current={tab} />
      {tab === 'reconciliation' ? <LedgerReconciliation /> : <Balances />}
    </div>
  );
}

function Balances() {
  const [state, setState] = useState<{ accounts?: LedgerAccount[]; error?: ApiError; truncated?: boolean }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stop = false;
    (async () => {
      const all: LedgerAccount[] = [];
      for (let page = 0; page < 20; page++) {
        const r = await api.get<{ items: LedgerAccount[] }>('/ledger/accounts', { limit: PAGE, offset: page * PAGE });
        all.push(...r.items);
        if (r.items.length < PAGE) return { accounts: all, truncated: false };
      }
      return { accounts: all, truncated: true };
    })()
      .then((r) => !stop && setState(r))
      .catch((e: unknown) => !stop && setState({ error: asApiError(e) }));
    return () => {
      stop = true;
    };
  }, [tick]);

  const byCurrency = useMemo(() => {
    const m = new Map<string, Map<string, LedgerAccount[]>>();
    for (const a of state.accounts ?? []) {
      const c = m.get(a.currency) ?? new Map<string, LedgerAccount[]>();
      const owner = ownerOf(a);
      c.set(owner, [...(c.get(owner) ?? []), a]);
      m.set(a.currency, c);
    }
    return [...m].sort(([a], [b]) => a.localeCompare(b));
  }, [state.accounts]);

  if (state.error) return <ErrorBanner error={state.error} />;
  if (!state.accounts) return <Loading />;
  if (!state.accounts.length) return <Banner kind="info">No ledger account yet.</Banner>;
  return (
    <>
      <div className="page-actions">
        <button type="button" className="btn" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
      </div>
      {state.truncated && <Banner kind="warn">Only the first {(20 * PAGE).toLocaleString()} accounts are shown.</Banner>}
      {byCurrency.map(([currency, owners]) => {
        const programFunds = sumDecimals((state.accounts ?? []).filter((a) => a.currency === currency && a.kind === 'program_funding').map((a) => a.available));
        return (
          <Card key={currency} title={`${currency}`} actions={programFunds !== undefined && <span className="small">Available in program funding accounts: <strong>{money(programFunds, currency)}</strong></span>}>
            <TableWrap label={`Accounts in ${currency}`}>
              <table data-testid={`ledger-${currency}`}>
                <thead>
                  <tr>
                    <th>Account</th>
                    <th>Kind</th>
                    <th className="num">Available</th>
                    <th className="num">Credits posted</th>
                    <th className="num">Debits posted</th>
                    <th className="num">Debits reserved</th>
                    <th className="num">Credits reserved</th>
                  </tr>
                </thead>
                {[...owners].sort(([a], [b]) => a.localeCompare(b)).map(([owner, accounts]) => (
                  <tbody key={owner}>
                    <tr className="group-row">
                      <th colSpan={7}>{owner}</th>
                    </tr>
                    {accounts.map((a) => (
                      <tr key={a.id} data-testid={`account-row-${a.id}`}>
                        <td>
                          <a href={href(`/ledger/accounts/${a.id}`)}>{a.name}</a>
                          <div className="small muted">
                            <code>{a.code}</code>
                          </div>
                        </td>
                        <td>{humanize(a.kind)}</td>
                        <td className="num strong">{money(a.available)}</td>
                        <td className="num">{money(a.creditsPosted)}</td>
                        <td className="num">{money(a.debitsPosted)}</td>
                        <td className="num">{money(a.debitsPending)}</td>
                        <td className="num">{money(a.creditsPending)}</td>
                      </tr>
                    ))}
                  </tbody>
                ))}
              </table>
            </TableWrap>
          </Card>
        );
      })}
    </>
  );
}

function LedgerReconciliation() {
  const r = useGet<Reconciliation>('/ledger/reconciliation', { format: 'json' });
  return (
    <Card
      title="Reconciliation of the books"
      actions={
        <>
          <button type="button" className="btn btn-small" onClick={r.reload}>
            Run again
          </button>
          <a className="btn btn-small" href="/ledger/reconciliation?format=csv" download data-testid="ledger-reconciliation-csv">
            Download CSV
          </a>
        </>
      }
    >
      <Async state={r}>
        {(d) => (
          <div data-testid="ledger-reconciliation">
            {d.ok ? (
              <Banner kind="ok">The books balance: every account equals its transfers, and every currency sums to zero. Checked {dateTime(d.generatedAt)}.</Banner>
            ) : (
              <Banner kind="error">{d.discrepancies.length} discrepancies found. Checked {dateTime(d.generatedAt)}.</Banner>
            )}
            <DataTable label="Currencies" columns={['Currency', num('Accounts'), num('Posted net'), num('Reserved net'), 'Result']}>
              {d.currencies.map((c) => (
                <tr key={c.currency}>
                  <td>{c.currency}</td>
                  <td className="num">{c.accounts}</td>
                  <td className="num">{money(c.postedNet)}</td>
                  <td className="num">{money(c.pendingNet)}</td>
                  <td>
                    <StatusBadge status={c.balanced ? 'balanced' : 'failed'} />
                  </td>
                </tr>
              ))}
            </DataTable>
            {d.discrepancies.length > 0 && (
              <>
                <h3>Discrepancies</h3>
                <DataTable label="Discrepancies" columns={['Currency', 'Account', 'What', num('Stored'), num('Recomputed')]}>
                  {d.discrepancies.map((x, i) => (
                    <tr key={i}>
                      <td>{x.currency}</td>
                      <td>{x.accountId ? <a href={href(`/ledger/accounts/${x.accountId}`)}>{x.accountCode ?? shortId(x.accountId)}</a> : 'currency total'}</td>
                      <td>{x.field}</td>
                      <td className="num">{money(x.stored)}</td>
                      <td className="num">{money(x.recomputed)}</td>
                    </tr>
                  ))}
                </DataTable>
              </>
            )}
          </div>
        )}
      </Async>
    </Card>
  );
}

export function AccountStatementPage({ accountId }: { accountId: string }) {
  const account = useGet<LedgerAccount>(`/ledger/accounts/${seg(accountId)}`);
  const statement = useCursorList<StatementLine>(async (after) => {
    const r = await api.get<{ items: StatementLine[]; nextCursor: string | null }>(`/ledger/accounts/${seg(accountId)}/statement`, { limit: 100, after });
    return { items: r.items, next: r.nextCursor };
  }, accountId);
  const { items: lines, error, busy } = statement;

  const a = account.data;
  return (
    <div className="page">
      <PageHeader title={a ? a.name : 'Account'} sub={a ? <code>{a.code}</code> : <code>{accountId}</code>} />
      <p>
        <a href={href('/ledger')}>← All balances</a>
      </p>
      <Async state={account}>
        {(x) => (
          <Card title="Balance">
            <Facts
              items={[
                ['Available', <strong key="a">{money(x.available, x.currency)}</strong>],
                ['Credits posted', money(x.creditsPosted, x.currency)],
                ['Debits posted', money(x.debitsPosted, x.currency)],
                ['Debits reserved', money(x.debitsPending, x.currency)],
                ['Credits reserved', money(x.creditsPending, x.currency)],
                ['Kind', humanize(x.kind)],
                ['Reference', x.reference ?? '—'],
                ['Opened', dateTime(x.createdAt)],
              ]}
            />
          </Card>
        )}
      </Async>
      <Card title="Statement (oldest first)">
        <ErrorBanner error={error} />
        {lines.length === 0 && busy && <Loading />}
        {lines.length === 0 && !busy && !error && <p className="muted">No transfer touches this account.</p>}
        {lines.length > 0 && (
          <DataTable label="Statement" testId="statement-table" columns={['When', 'Direction', num('Amount'), 'Kind', 'Code', 'Reference', 'Other account']}>
            {lines.map((l) => (
              <tr key={`${l.transferId}-${l.direction}`}>
                <td>{dateTime(l.createdAt)}</td>
                <td>{l.direction === 'credit' ? 'In (credit)' : 'Out (debit)'}</td>
                <td className={`num ${l.direction === 'debit' ? 'text-bad' : 'text-ok'}`}>
                  {l.direction === 'debit' ? '−' : '+'}
                  {money(l.amount, l.currency)}
                </td>
                <td>{humanize(l.kind)}</td>
                <td>{l.code}</td>
                <td>{l.referenceType ? `${l.referenceType} ${l.referenceId ?? ''}` : '—'}</td>
                <td>
                  <a href={href(`/ledger/accounts/${l.counterpartyAccountId}`)}>{shortId(l.counterpartyAccountId)}</a>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <LoadMore more={!!statement.next} busy={busy} onLoad={statement.loadMore} />
      </Card>
    </div>
  );
}
