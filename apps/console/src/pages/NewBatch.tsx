import { useMemo, useState, type FormEvent } from 'react';
import { request } from '../api';
import { useAction, useGet } from '../hooks';
import { href, navigate } from '../router';
import { SCOPE, useSession } from '../session';
import type { Participant, Program } from '../types';
import { Banner, Card, ErrorBanner, Loading, PageHeader, useConfirm, useToast } from '../ui';
import { newRequestId, plural } from '../format';

interface Accepted {
  batchId: string;
  pollingPath: string;
  rejectedAtIntake: number;
}

export function NewBatchPage() {
  const { can } = useSession();
  const programs = useGet<Program[]>('/programs');
  const participants = useGet<Participant[]>('/participants', { limit: 500 });
  const sources = useMemo(
    () => (participants.data ?? []).filter((p) => (p.kind === 'source_bb' || p.kind === 'registration_bb') && p.status === 'active'),
    [participants.data],
  );
  const active = useMemo(() => (programs.data ?? []).filter((p) => p.status === 'active'), [programs.data]);
  const [program, setProgram] = useState('');
  const [source, setSource] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [controlCount, setControlCount] = useState('');
  const [controlSum, setControlSum] = useState('');
  const [executeAt, setExecuteAt] = useState('');
  // One request ID per chosen file: submitting twice (a double click, a retry after a timeout) is the same batch.
  const [requestId, setRequestId] = useState(() => newRequestId());
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();

  const chosen = active.find((p) => p.code === program);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !program || !source) return;
    const ok = await confirm({
      title: 'Submit this batch?',
      message: (
        <p>
          The file <strong>{file.name}</strong> will be submitted for program <strong>{program}</strong> on behalf of <strong>{source}</strong>.{' '}
          {chosen?.requiresApproval ? 'A checker must approve it before money moves.' : 'This program needs no approval: payments start once the batch is validated.'}
        </p>
      ),
      confirmLabel: 'Submit batch',
    });
    if (!ok) return;
    const form = new FormData();
    form.append('file', file, file.name);
    const headers: Record<string, string> = {
      'X-CorrelationID': requestId,
      'X-Program-Id': program,
      'X-Registering-Institution-Id': source,
    };
    if (controlCount.trim()) headers['X-Control-Count'] = controlCount.trim();
    if (controlSum.trim()) headers['X-Control-Sum'] = controlSum.trim();
    if (executeAt) headers['X-Execute-At'] = new Date(executeAt).toISOString();
    const a = await action.run(() => request<Accepted>('POST', '/batchtransactions', { query: { type: 'csv' }, body: form, headers }));
    if (a) {
      toast(a.rejectedAtIntake ? `Batch received; ${plural(a.rejectedAtIntake, 'row')} refused at intake.` : 'Batch received.', a.rejectedAtIntake ? 'info' : 'ok');
      navigate(`/batches/${a.batchId}`);
    }
  };

  if (!can(SCOPE.bulkSubmit))
    return (
      <div className="page">
        <PageHeader title="New batch" />
        <Banner kind="warn">Your role cannot submit batches. A maker submits them.</Banner>
      </div>
    );

  return (
    <div className="page">
      <PageHeader title="New batch" sub="Upload a CSV file of credit instructions." />
      <p>
        <a href={href('/batches')}>← All batches</a>
      </p>
      <Card>
        <form className="form" onSubmit={(e) => void submit(e)} data-testid="new-batch-form">
          <ErrorBanner error={action.error ?? programs.error ?? participants.error} />
          {(programs.loading || participants.loading) && <Loading />}
          <label className="field">
            <span>Program</span>
            <select required value={program} onChange={(e) => setProgram(e.target.value)} data-testid="batch-program">
              <option value="">Choose a program…</option>
              {active.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.code} — {p.name} ({p.currency}){p.requiresApproval ? ', needs approval' : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Source building block (who the batch is for)</span>
            <select required value={source} onChange={(e) => setSource(e.target.value)} data-testid="batch-source">
              <option value="">Choose a source…</option>
              {sources.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.code} — {p.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>CSV file</span>
            <input
              type="file"
              accept=".csv,text/csv"
              required
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setRequestId(newRequestId());
              }}
              data-testid="batch-file"
            />
            <small className="hint">
              A header row with <code>instruction_id</code>, <code>payee_functional_id</code> (or <code>payee_identifier_type</code> and{' '}
              <code>payee_identifier</code>), <code>amount</code>, <code>currency</code>, and optionally <code>narration</code>, <code>payment_mode</code>,{' '}
              <code>institution_code</code>.
            </small>
          </label>
          <details>
            <summary>Checks and scheduling (optional)</summary>
            <div className="form-row">
              <label className="field">
                <span>Number of instructions expected</span>
                <input inputMode="numeric" pattern="[0-9]*" value={controlCount} onChange={(e) => setControlCount(e.target.value)} data-testid="batch-control-count" />
              </label>
              <label className="field">
                <span>Total amount expected</span>
                <input inputMode="decimal" pattern="[0-9]+(\.[0-9]+)?" value={controlSum} onChange={(e) => setControlSum(e.target.value)} placeholder="e.g. 150000.00" data-testid="batch-control-sum" />
              </label>
              <label className="field">
                <span>Pay no earlier than</span>
                <input type="datetime-local" value={executeAt} onChange={(e) => setExecuteAt(e.target.value)} data-testid="batch-execute-at" />
              </label>
            </div>
            <small className="hint">A file whose count or total differs is refused as a whole.</small>
          </details>
          <p className="small muted">
            Request ID <code>{requestId}</code>: submitting the same file again with it gives the same batch, never a second one.
          </p>
          <button type="submit" className="btn btn-primary" disabled={action.busy || !file || !program || !source} data-testid="batch-submit">
            {action.busy ? 'Uploading…' : 'Submit batch'}
          </button>
        </form>
      </Card>
    </div>
  );
}
