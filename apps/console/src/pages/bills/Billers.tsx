import { useState } from 'react';
import { api, seg } from '../../api';
import { DataTable } from '../../components/DataTable';
import { QuerySelect } from '../../components/Filters';
import { useAction, useGet } from '../../hooks';
import { useRoute } from '../../router';
import { SCOPE, useSession } from '../../session';
import type { Biller, Credentials } from '../../types';
import { Async, Card, ErrorBanner, StatusBadge, useConfirm, useToast } from '../../ui';
import { dateTime } from '../../format';
import { CredentialsOnce } from './CredentialsOnce';
import { OnboardForm } from './OnboardForm';

const BILLER_STATUSES = ['pending_approval', 'active', 'suspended', 'rejected'];

/** The biller registry: approving or rejecting onboardings, and onboarding a biller. */
export function Billers() {
  const route = useRoute();
  const status = route.query.get('status') ?? '';
  const billers = useGet<Biller[]>('/p2g/billers', { status });
  const { can } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();
  const [showForm, setShowForm] = useState(false);
  const [issued, setIssued] = useState<{ billerId: string; credentials: Credentials } | null>(null);

  const decide = async (b: Biller, verb: 'approve' | 'reject') => {
    const ok = await confirm({
      title: verb === 'approve' ? `Approve ${b.name}?` : `Reject ${b.name}?`,
      message:
        verb === 'approve' ? (
          <p>
            {b.billerId} (prefix {b.prefix}) becomes payable: payer FIs can inquire and pay its bills, and payments are settled to {b.settlementAccount.bankCode}{' '}
            {b.settlementAccount.accountNumber}. You cannot approve an onboarding you made.
          </p>
        ) : (
          <p>The onboarding of {b.billerId} is refused; the biller cannot be paid.</p>
        ),
      confirmLabel: verb === 'approve' ? 'Approve biller' : 'Reject biller',
      danger: verb === 'reject',
      reason: { label: 'Reason', maxLength: 500 },
    });
    if (!ok) return;
    const r = await action.run(() => api.post<Biller>(`/p2g/billers/${seg(b.billerId)}/${verb}`, ok.reason ? { reason: ok.reason } : {}));
    if (r) {
      toast(`${b.billerId} ${verb === 'approve' ? 'approved' : 'rejected'}.`);
      billers.reload();
    }
  };

  return (
    <>
      {issued && <CredentialsOnce who={issued.billerId} credentials={issued.credentials} onDone={() => setIssued(null)} />}
      <ErrorBanner error={action.error} onClose={action.clear} />
      <Card
        title="Biller registry"
        actions={
          <>
            <QuerySelect param="status" choices={BILLER_STATUSES} any="Any status" ariaLabel="Status" testId="filter-biller-status" />
            <button type="button" className="btn btn-small" onClick={billers.reload}>
              Refresh
            </button>
            {can(SCOPE.billersAdmin) && (
              <button type="button" className="btn btn-small btn-primary" onClick={() => setShowForm((s) => !s)} data-testid="onboard-toggle">
                {showForm ? 'Close form' : 'Onboard a biller'}
              </button>
            )}
          </>
        }
      >
        {showForm && (
          <OnboardForm
            onDone={(r) => {
              setShowForm(false);
              setIssued({ billerId: r.biller.billerId, credentials: r.credentials });
              billers.reload();
            }}
          />
        )}
        <Async state={billers} isEmpty={(d) => d.length === 0} empty="No biller.">
          {(list) => (
            <DataTable label="Billers" testId="billers-table" columns={['Biller', 'Prefix', 'Kind', 'Status', 'Currencies', 'Settles to', 'Amount rule', 'Onboarded by', '']}>
              {list.map((b) => (
                <tr key={b.billerId} data-testid={`biller-row-${b.billerId}`}>
                  <td>
                    <strong>{b.name}</strong>
                    <div className="small muted">
                      {b.billerId} · {b.shortName}
                    </div>
                  </td>
                  <td>
                    <code>{b.prefix}</code>
                  </td>
                  <td>{b.kind}</td>
                  <td>
                    <StatusBadge status={b.status} />
                    {b.decisionReason && <div className="small muted">{b.decisionReason}</div>}
                  </td>
                  <td>{b.currencies.join(', ')}</td>
                  <td>
                    {b.settlementAccount.bankCode} {b.settlementAccount.accountNumber}
                  </td>
                  <td>{b.rules.amountExactness}</td>
                  <td>
                    {b.createdBy}
                    <div className="small muted">{dateTime(b.createdAt)}</div>
                  </td>
                  <td className="row-actions">
                    {b.status === 'pending_approval' && can(...SCOPE.billersApprove) && (
                      <>
                        <button type="button" className="btn btn-small btn-primary" disabled={action.busy} onClick={() => void decide(b, 'approve')} data-testid="biller-approve-button">
                          Approve
                        </button>
                        <button type="button" className="btn btn-small btn-danger" disabled={action.busy} onClick={() => void decide(b, 'reject')} data-testid="biller-reject-button">
                          Reject
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Async>
      </Card>
    </>
  );
}
