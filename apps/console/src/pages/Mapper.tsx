import { useState } from 'react';
import { seg } from '../api';
import { useGet } from '../hooks';
import { setQuery, useRoute } from '../router';
import type { Beneficiary } from '../types';
import { Async, Card, Facts, PageHeader, StatusBadge } from '../ui';
import { dateTime } from '../format';

const MODALITY: Record<string, string> = { '00': 'Bank account', '01': 'Mobile money', '02': 'Voucher', '03': 'Wallet', '04': 'Proxy' };

export function MapperPage() {
  const route = useRoute();
  const id = route.query.get('id') ?? '';
  const [input, setInput] = useState(id);
  const b = useGet<Beneficiary>(id ? `/account-mapper/beneficiaries/${seg(id)}` : null);
  return (
    <div className="page">
      <PageHeader title="Account mapper" sub="Where a beneficiary's payments go, by functional ID." />
      <Card>
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            if (input.trim() === id) b.reload();
            else setQuery(route, { id: input.trim() });
          }}
        >
          <label className="field inline grow">
            <span>Functional ID</span>
            <input required value={input} onChange={(e) => setInput(e.target.value)} placeholder="e.g. PayeeFunctionalID101" data-testid="mapper-id-input" />
          </label>
          <button type="submit" className="btn btn-primary" data-testid="mapper-lookup-button">
            Look up
          </button>
        </form>
        {id && (
          <Async state={b}>
            {(x) => (
              <div data-testid="mapper-result">
                <Facts
                  items={[
                    ['Functional ID', <code key="f">{x.functionalId}</code>],
                    ['Status', <StatusBadge key="s" status={x.status} />],
                    ['Payment modality', `${MODALITY[x.paymentModality] ?? 'Other'} (${x.paymentModality})`],
                    [
                      'Financial address',
                      <span key="a">
                        <code data-testid="mapper-address">{x.financialAddress}</code>{' '}
                        {x.financialAddressMasked ? (
                          <span className="badge badge-muted" data-testid="mapper-masked" title="Your role sees financial addresses masked">
                            masked
                          </span>
                        ) : (
                          <span className="badge badge-warn" title="Personal data: do not copy it outside the console">
                            shown in full
                          </span>
                        )}
                      </span>,
                    ],
                    ['Institution', x.institutionCode ?? '—'],
                    ['Registered by', x.sourceBbCode ?? '—'],
                    ['Updated', dateTime(x.updatedAt)],
                  ]}
                />
                {x.financialAddressMasked && <p className="small muted">The address is masked: only checkers and administrators see it in full.</p>}
              </div>
            )}
          </Async>
        )}
      </Card>
    </div>
  );
}
