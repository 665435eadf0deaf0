/** Small hand-written SVG charts. Colours come from CSS classes (the CSP allows no inline styles in markup). */

export interface Segment {
  label: string;
  value: number;
  /** A CSS class suffix: tone-ok, tone-bad, tone-info, tone-warn, tone-muted, tone-1..6 */
  tone: string;
}

const pct = (n: number, total: number) => (total > 0 ? Math.round((n / total) * 1000) / 10 : 0);

export function ProgressBar({
  value,
  max,
  label,
  testId,
}: {
  value: number;
  max: number;
  label: string;
  testId?: string;
}) {
  const p = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        <strong>{p}%</strong>
      </div>
      <svg
        className="progress-bar"
        viewBox="0 0 100 6"
        preserveAspectRatio="none"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={p}
        aria-valuetext={`${p}% (${value.toLocaleString()} of ${max.toLocaleString()})`}
        data-testid={testId}
      >
        <rect className="progress-track" x="0" y="0" width="100" height="6" rx="3" />
        <rect className="progress-fill" x="0" y="0" width={p} height="6" rx="3" />
      </svg>
    </div>
  );
}

/** One entry of a legend: a swatch of the tone, the label, the value and, given the total, its share. */
function LegendItem({ tone, label, value, total }: { tone: string; label: string; value: number; total?: number }) {
  return (
    <li>
      <svg width="12" height="12" aria-hidden="true">
        <rect className={`fill-${tone}`} width="12" height="12" rx="2" />
      </svg>
      <span>{label}</span>
      <strong>{value.toLocaleString()}</strong>
      {total !== undefined && <span className="muted">({pct(value, total)}%)</span>}
    </li>
  );
}

function Legend({ segments, total }: { segments: Segment[]; total: number }) {
  return (
    <ul className="legend">
      {segments.map((s) => (
        <LegendItem key={s.label} tone={s.tone} label={s.label} value={s.value} total={total} />
      ))}
    </ul>
  );
}

/** One horizontal bar split into segments, with a legend. */
export function StackedBar({ segments, label, testId }: { segments: Segment[]; label: string; testId?: string }) {
  const total = segments.reduce((a, s) => a + s.value, 0);
  let x = 0;
  return (
    <figure className="chart" data-testid={testId}>
      <svg className="stacked" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={`${label}: ${segments.map((s) => `${s.label} ${s.value}`).join(', ')}`}>
        <rect className="progress-track" x="0" y="0" width="100" height="8" />
        {total > 0 &&
          segments.map((s) => {
            const w = (s.value / total) * 100;
            const r = <rect key={s.label} className={`fill-${s.tone}`} x={x} y="0" width={w} height="8" />;
            x += w;
            return r;
          })}
      </svg>
      <figcaption className="sr-only">{label}</figcaption>
      <Legend segments={segments} total={total} />
    </figure>
  );
}

/** A donut for a status breakdown, total in the middle. */
export function Donut({ segments, label, centre, testId }: { segments: Segment[]; label: string; centre?: string; testId?: string }) {
  const total = segments.reduce((a, s) => a + s.value, 0);
  const r = 15.915; // circumference 100
  let offset = 25; // start at 12 o'clock
  return (
    <figure className="chart donut-chart" data-testid={testId}>
      <svg viewBox="0 0 42 42" className="donut" role="img" aria-label={`${label}: ${segments.map((s) => `${s.label} ${s.value}`).join(', ')}`}>
        <circle className="donut-track" cx="21" cy="21" r={r} fill="none" strokeWidth="6" />
        {total > 0 &&
          segments
            .filter((s) => s.value > 0)
            .map((s) => {
              const len = (s.value / total) * 100;
              const c = (
                <circle
                  key={s.label}
                  className={`stroke-${s.tone}`}
                  cx="21"
                  cy="21"
                  r={r}
                  fill="none"
                  strokeWidth="6"
                  strokeDasharray={`${len} ${100 - len}`}
                  strokeDashoffset={offset}
                />
              );
              offset -= len;
              return c;
            })}
        <text x="21" y="21" className="donut-total" textAnchor="middle" dominantBaseline="central">
          {centre ?? total.toLocaleString()}
        </text>
      </svg>
      <figcaption className="sr-only">{label}</figcaption>
      <Legend segments={segments} total={total} />
    </figure>
  );
}

/** Vertical bars with their value on top; `highlight` bars get the warning colour. */
export function BarChart({
  bars,
  label,
  testId,
}: {
  bars: { label: string; value: number; tone?: string }[];
  label: string;
  testId?: string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = 100 / Math.max(1, bars.length);
  const H = 60;
  return (
    <figure className="chart" data-testid={testId}>
      <svg className="bars" viewBox={`0 0 100 ${H + 14}`} role="img" aria-label={`${label}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}>
        <line className="axis" x1="0" x2="100" y1={H} y2={H} />
        {bars.map((b, i) => {
          const h = (b.value / max) * (H - 8);
          const x = i * w + w * 0.15;
          return (
            <g key={b.label}>
              <rect className={`fill-${b.tone ?? 'tone-1'}`} x={x} y={H - h} width={w * 0.7} height={h} rx="0.8" />
              <text className="bar-value" x={x + w * 0.35} y={H - h - 1.5} textAnchor="middle">
                {b.value.toLocaleString()}
              </text>
              <text className="bar-label" x={x + w * 0.35} y={H + 6} textAnchor="middle">
                {b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="sr-only">{label}</figcaption>
    </figure>
  );
}

/** A small inline bar for a share (0..1) beside its percentage; `tone` by how good the share is. */
export function RateBar({ rate, label, testId, tone: fixedTone }: { rate: number | null; label: string; testId?: string; tone?: string }) {
  if (rate === null || !Number.isFinite(rate)) return <span className="muted">—</span>;
  const p = Math.max(0, Math.min(100, rate * 100));
  const tone = fixedTone ?? (p >= 95 ? 'tone-ok' : p >= 80 ? 'tone-warn' : 'tone-bad');
  const text = `${p.toFixed(1)}%`;
  return (
    <span className="rate" data-testid={testId} data-rate={rate}>
      <strong className="rate-value">{text}</strong>
      <svg className="rate-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label={`${label}: ${text}`}>
        <rect className="progress-track" x="0" y="0" width="100" height="6" rx="2" />
        <rect className={`fill-${tone}`} x="0" y="0" width={p} height="6" rx="2" />
      </svg>
    </span>
  );
}

export interface DailyPoint {
  /** YYYY-MM-DD */
  day: string;
  completed: number;
  failed: number;
}

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
function niceMax(max: number): number {
  if (max <= 4) return 4;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= max) return m * pow;
  return 10 * pow;
}

const shortDay = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
};

/**
 * One stacked column per day: completed (green) below failed (red), with a y axis, gridlines and a legend.
 * Every day of `days` gets a column, zero when nothing finished that day; each column has a tooltip.
 */
export function DailyChart({ points, label, testId }: { points: DailyPoint[]; label: string; testId?: string }) {
  const W = 640;
  const H = 200;
  const left = 36;
  const bottom = 22;
  const top = 8;
  const plotW = W - left - 4;
  const plotH = H - top - bottom;
  const max = niceMax(Math.max(0, ...points.map((p) => p.completed + p.failed)));
  const step = plotW / Math.max(1, points.length);
  const barW = Math.max(1, step * (points.length > 45 ? 0.85 : 0.7));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const ticks = [0, max / 4, max / 2, (3 * max) / 4, max];
  const labelEvery = Math.max(1, Math.ceil(points.length / 10));
  const totals = points.reduce((a, p) => ({ completed: a.completed + p.completed, failed: a.failed + p.failed }), { completed: 0, failed: 0 });
  return (
    <figure className="chart daily-chart" data-testid={testId}>
      <svg
        className="daily"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${label}: ${totals.completed.toLocaleString()} completed and ${totals.failed.toLocaleString()} failed over ${points.length} days`}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line className={t === 0 ? 'axis' : 'grid'} x1={left} x2={W - 4} y1={y(t)} y2={y(t)} />
            <text className="tick" x={left - 4} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {Number.isInteger(t) ? t.toLocaleString() : ''}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const x = left + i * step + (step - barW) / 2;
          const hc = (p.completed / max) * plotH;
          const hf = (p.failed / max) * plotH;
          const total = p.completed + p.failed;
          return (
            <g key={p.day} className="day" data-day={p.day}>
              <title>{`${p.day}: ${p.completed.toLocaleString()} completed, ${p.failed.toLocaleString()} failed${total ? ` (${((p.failed / total) * 100).toFixed(1)}% failed)` : ''}`}</title>
              <rect className="day-hit" x={left + i * step} y={top} width={step} height={plotH} />
              {hc > 0 && <rect className="fill-tone-ok" x={x} y={y(p.completed)} width={barW} height={hc} />}
              {hf > 0 && <rect className="fill-tone-bad" x={x} y={y(p.completed) - hf} width={barW} height={hf} />}
              {i % labelEvery === 0 && (
                <text className="tick" x={left + i * step + step / 2} y={H - 6} textAnchor="middle">
                  {shortDay(p.day)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="sr-only">{label}</figcaption>
      <ul className="legend">
        <LegendItem tone="tone-ok" label="Completed" value={totals.completed} />
        <LegendItem tone="tone-bad" label="Failed" value={totals.failed} />
      </ul>
    </figure>
  );
}
