import { useState, type FormEvent } from 'react';
import { Field } from '../../components/Field';
import { setQuery, useRoute } from '../../router';
import type { Program, ReportPeriod } from '../../types';
import { Card } from '../../ui';
import { plural } from '../../format';
import { PRESETS, ymd } from './period';

/** The period (a preset or chosen days) and the programme of the report, kept in the query string. */
export function PeriodPicker({
  preset,
  from,
  to,
  programCode,
  programs,
  period,
}: {
  preset: string;
  from: string;
  to: string;
  programCode: string;
  programs: Program[];
  period: ReportPeriod | string;
}) {
  const route = useRoute();
  const today = ymd(new Date());
  const [first, setFirst] = useState(from || (typeof period !== 'string' ? period.firstDay : ''));
  const [last, setLast] = useState(to || (typeof period !== 'string' ? period.lastDay : today));
  const [editing, setEditing] = useState(false);
  const custom = preset === 'custom' || editing;

  const choose = (n: number) => {
    setEditing(false);
    setQuery(route, { period: String(n), from: undefined, to: undefined });
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setQuery(route, { period: 'custom', from: first, to: last });
  };

  return (
    <Card className="report-filters">
      <div className="period" data-testid="reports-period">
        <div className="field">
          <span id="period-label">Period</span>
          <div className="segmented" role="group" aria-labelledby="period-label">
            {PRESETS.map((n) => (
              <button
                key={n}
                type="button"
                aria-pressed={!custom && preset === String(n)}
                onClick={() => choose(n)}
                data-testid={`reports-period-${n}`}
              >
                Last {n} days
              </button>
            ))}
            <button
              type="button"
              aria-pressed={custom}
              onClick={() => {
                setEditing(true);
                if (typeof period !== 'string') {
                  setFirst(period.firstDay);
                  setLast(period.lastDay);
                }
              }}
              data-testid="reports-period-custom"
            >
              Custom…
            </button>
          </div>
        </div>
        {custom && (
          <form className="period" onSubmit={apply}>
            <Field label="First day">
              <input
                type="date"
                required
                value={first}
                max={last || today}
                onChange={(e) => setFirst(e.target.value)}
                data-testid="reports-from"
              />
            </Field>
            <Field label="Last day">
              <input
                type="date"
                required
                value={last}
                min={first}
                onChange={(e) => setLast(e.target.value)}
                data-testid="reports-to"
              />
            </Field>
            <button type="submit" className="btn btn-primary" data-testid="reports-apply">
              Show
            </button>
          </form>
        )}
        <Field label="Programme">
          <select
            value={programCode}
            onChange={(e) => setQuery(route, { programCode: e.target.value })}
            data-testid="reports-program-filter"
          >
            <option value="">All programmes</option>
            {programs.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name} ({p.code})
              </option>
            ))}
          </select>
        </Field>
      </div>
      {typeof period !== 'string' && (
        <p className="small muted period-note" data-testid="reports-period-text">
          Batches received from {period.firstDay} to {period.lastDay} ({plural(period.days, 'day')}, UTC)
          {programCode ? `, programme ${programCode}` : ', all programmes'}.
        </p>
      )}
    </Card>
  );
}
