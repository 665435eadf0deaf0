import { useEffect, useMemo, useState } from 'react';
import { api, seg } from '../api';
import { BarChart, StackedBar, type Segment } from '../charts';
import { LookupForm } from '../components/Filters';
import { asApiError, useAction, useGet } from '../hooks';
import { useRoute } from '../router';
import { SCOPE, useSession } from '../session';
import type { VoucherGroup, VoucherStatus, VoucherStock } from '../types';
import { Async, Card, ErrorBanner, Facts, Loading, PageHeader, StatusBadge, useConfirm, useToast } from '../ui';
import type { ApiError } from '../api';
import { dateTime, humanize, money } from '../format';

const STATE_TONE: Record<string, string> = {
  provisioned: 'tone-muted',
  preactivated: 'tone-info',
  activated: 'tone-1',
  suspended: 'tone-warn',
  blocked: 'tone-bad',
  redeeming: 'tone-2',
  consumed: 'tone-ok',
  cancelled: 'tone-3',
  expired: 'tone-4',
  purged: 'tone-5',
};

export function VouchersPage() {
  return (
    <div className="page">
      <PageHeader title="Vouchers" sub="Voucher groups and their stock; look up, suspend or cancel a voucher." />
      <VoucherLookup />
      <Groups />
    </div>
  );
}

function Groups() {
  const groups = useGet<VoucherGroup[]>('/voucher-groups', { limit: 1000 });
  const [stocks, setStocks] = useState<Record<string, VoucherStock | ApiError>>({});
  useEffect(() => {
    if (!groups.data) return;
    let stop = false;
    for (const g of groups.data)
      api
        .get<VoucherStock>(`/voucher-groups/${seg(g.code)}/stock`)
        .then((s) => !stop && setStocks((all) => ({ ...all, [g.code]: s })))
        .catch((e: unknown) => !stop && setStocks((all) => ({ ...all, [g.code]: asApiError(e) })));
    return () => {
      stop = true;
    };
  }, [groups.data]);
  const low = Object.values(stocks).filter((s): s is VoucherStock => !(s instanceof Error) && s.lowStock);

  return (
    <>
      {low.length > 0 && (
        <div className="banner banner-warn banner-big" role="alert" data-testid="low-stock-banner">
          <div className="banner-body">
            <strong>Low stock.</strong>{' '}
            {low.map((s) => `${s.groupCode} (${s.available.filter((a) => a.low).map((a) => `${money(a.amount, s.currency)}: ${a.count} left`).join(', ')})`).join('; ')}. Provision more
            vouchers before the stock runs out.
          </div>
        </div>
      )}
      <Card title="Voucher groups" actions={<button type="button" className="btn btn-small" onClick={groups.reload}>Refresh</button>}>
        <Async state={groups} isEmpty={(d) => d.length === 0} empty="No voucher group yet.">
          {(list) => (
            <div className="group-list">
              {list.map((g) => (
                <GroupStock key={g.code} group={g} stock={stocks[g.code]} />
              ))}
            </div>
          )}
        </Async>
      </Card>
    </>
  );
}

function GroupStock({ group, stock }: { group: VoucherGroup; stock: VoucherStock | ApiError | undefined }) {
  const byState = useMemo(() => {
    if (!stock || stock instanceof Error) return [];
    const counts = new Map<string, number>();
    for (const l of stock.byState) counts.set(l.state, (counts.get(l.state) ?? 0) + l.count);
    return [...counts].map(([state, value]): Segment => ({ label: humanize(state), value, tone: STATE_TONE[state] ?? 'tone-6' }));
  }, [stock]);
  return (
    <div className={`group ${stock && !(stock instanceof Error) && stock.lowStock ? 'group-low' : ''}`} data-testid={`voucher-group-${group.code}`}>
      <div className="group-head">
        <h3>
          {group.name} <code>{group.code}</code>
        </h3>
        <div>
          <StatusBadge status={group.status} />
          {stock && !(stock instanceof Error) && stock.lowStock && (
            <span className="badge badge-bad" data-testid="low-stock-badge">
              Low stock
            </span>
          )}
        </div>
      </div>
      <p className="small muted">
        Program {group.programCode} · {group.currency} · valid {group.validityDays} days{group.expiresOn ? ` · group expires ${dateTime(group.expiresOn)}` : ''} · low-stock
        threshold {group.lowStockThreshold}
      </p>
      {stock === undefined ? (
        <Loading label="Loading stock…" />
      ) : stock instanceof Error ? (
        <ErrorBanner error={stock} />
      ) : (
        <div className="grid-2">
          <div>
            <h4>Vouchers by state</h4>
            {byState.length ? <StackedBar label={`Vouchers of ${group.code} by state`} segments={byState} /> : <p className="muted">No voucher provisioned.</p>}
          </div>
          <div>
            <h4>Ready to issue, by amount</h4>
            {stock.available.length ? (
              <BarChart
                label={`Vouchers of ${group.code} in stock by amount`}
                bars={stock.available.map((a) => ({ label: a.amount, value: a.count, tone: a.low ? 'tone-bad' : 'tone-ok' }))}
              />
            ) : (
              <p className="muted">No denomination.</p>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

const CANCELLABLE = ['provisioned', 'preactivated', 'activated', 'suspended', 'blocked'];

function VoucherLookup() {
  const route = useRoute();
  const serial = route.query.get('serial') ?? '';
  const voucher = useGet<VoucherStatus>(serial ? `/vouchers/${seg(serial)}` : null);
  const { can } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();
  const v = voucher.data;

  /** Moves the voucher to another state (the server checks the move is allowed) and shows where it is now. */
  const move = async (serialNumber: string, verb: 'suspend' | 'unsuspend' | 'cancel') => {
    const r = await action.run(() => api.post<{ serialNumber: string; state: string }>(`/vouchers/${seg(serialNumber)}/${verb}`));
    if (r) {
      toast(`Voucher ${r.serialNumber} is now ${humanize(r.state)}.`);
      voucher.reload();
    }
  };

  const hold = async (verb: 'suspend' | 'unsuspend') => {
    if (!v) return;
    const ok = await confirm({
      title: verb === 'suspend' ? 'Suspend this voucher?' : 'Lift the suspension?',
      message: verb === 'suspend' ? <p>Nobody can redeem voucher {v.serialNumber} until it is unsuspended.</p> : <p>Voucher {v.serialNumber} can be redeemed again.</p>,
      confirmLabel: verb === 'suspend' ? 'Suspend' : 'Unsuspend',
      danger: verb === 'suspend',
    });
    if (ok) await move(v.serialNumber, verb);
  };

  const cancel = async () => {
    if (!v) return;
    const ok = await confirm({
      title: 'Cancel this voucher?',
      message: (
        <p>
          Voucher {v.serialNumber} ({money(v.value, v.currency)}) will never be redeemable again; its value goes back to the program. This cannot be undone.
        </p>
      ),
      confirmLabel: 'Cancel voucher',
      danger: true,
    });
    if (ok) await move(v.serialNumber, 'cancel');
  };

  return (
    <Card title="Look up a voucher">
      <LookupForm param="serial" label="Serial number" placeholder="e.g. 000000001234" reload={voucher.reload} inputTestId="voucher-serial-input" buttonTestId="voucher-lookup-button" />
      <ErrorBanner error={action.error} onClose={action.clear} />
      {serial && (
        <Async state={voucher}>
          {(d) => (
            <div className="voucher" data-testid="voucher-result">
              <Facts
                items={[
                  ['Serial number', <code key="s">{d.serialNumber}</code>],
                  ['State', <StatusBadge key="st" status={d.state} testId="voucher-status" />],
                  ['Value', money(d.value, d.currency)],
                  ['Expires', dateTime(d.expiryDateTime)],
                ]}
              />
              <div className="actions-bar">
                {can(...SCOPE.vouchersHold) && ['activated', 'preactivated', 'provisioned'].includes(d.state) && (
                  <button type="button" className="btn" disabled={action.busy} onClick={() => void hold('suspend')} data-testid="voucher-suspend-button">
                    Suspend
                  </button>
                )}
                {can(...SCOPE.vouchersHold) && d.state === 'suspended' && (
                  <button type="button" className="btn" disabled={action.busy} onClick={() => void hold('unsuspend')} data-testid="voucher-unsuspend-button">
                    Unsuspend
                  </button>
                )}
                {can(...SCOPE.vouchersHold) && CANCELLABLE.includes(d.state) && (
                  <button type="button" className="btn btn-danger" disabled={action.busy} onClick={() => void cancel()} data-testid="voucher-cancel-button">
                    Cancel voucher
                  </button>
                )}
              </div>
            </div>
          )}
        </Async>
      )}
    </Card>
  );
}
