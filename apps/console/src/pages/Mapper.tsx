import { qs } from '../api';
import { LookupForm } from '../components/Filters';
import { useGet } from '../hooks';
import { useRoute } from '../router';
import type { Beneficiary } from '../types';
import { Async, Card, Facts, PageHeader, StatusBadge } from '../ui';
import { dateTime } from '../format';

const MODALITY: Record<string, string> = { '00': 'Bank account', '01': 'Mobile money', '02': 'Voucher', '03': 'Wallet', '04': 'Proxy' };

export function MapperPage() {
  const route = useRoute();
  const id = route.query.get('id') ?? '';
  const b = useGet<Beneficiary>(id ? `/account-mapper/beneficiaries${qs({ functionalId: id })}` : null);
  return (
    <div className="page">
      <PageHeader title="Account mapper" sub="Where a beneficiary's payments go, by functional ID." />
      <Card>
        <LookupForm param="id" label="Functional ID" placeholder="e.g. PayeeFunctionalID101" reload={b.reload} inputTestId="mapper-id-input" buttonTestId="mapper-lookup-button" />
        {id && (
          <Async state={b}>
            {(x) => (
              <div data-testid="mapper-result">
                <p>
                  Functional ID <code>{x.functionalId}</code>: {x.entries.length === 1 ? 'one registration' : `${x.entries.length} registrations, one per source building block`}.
                </p>
                {x.entries.map((e) => (
                  <div key={e.sourceBbCode} className="mapper-entry" data-testid={`mapper-entry-${e.sourceBbCode}`}>
                    <Facts
                      items={[
                        ['Registered by', e.sourceBbCode],
                        ['Status', <StatusBadge key="s" status={e.status} />],
                        ['Payment modality', `${MODALITY[e.paymentModality] ?? 'Other'} (${e.paymentModality})`],
                        [
                          'Financial address',
                          <span key="a">
                            <code data-testid="mapper-address">{e.financialAddress ?? '—'}</code>{' '}
                            {e.financialAddressMasked ? (
                              <span className="badge badge-muted" data-testid="mapper-masked" title="Your role sees financial addresses masked">
                                masked
                              </span>
                            ) : e.financialAddress ? (
                              <span className="badge badge-warn" title="Personal data: do not copy it outside the console">
                                shown in full
                              </span>
                            ) : null}
                          </span>,
                        ],
                        ['Institution', e.institutionCode ?? '—'],
                        ['Updated', dateTime(e.updatedAt)],
                      ]}
                    />
                  </div>
                ))}
                {x.entries.some((e) => e.financialAddressMasked) && (
                  <p className="small muted">Addresses are masked: only checkers and administrators see them in full, and each time they do it is recorded in the audit log.</p>
                )}
              </div>
            )}
          </Async>
        )}
      </Card>
    </div>
  );
}
