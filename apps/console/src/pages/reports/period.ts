import type { DailyPoint } from '../../charts';
import type { PaymentsReport, ReportPeriod } from '../../types';

/** The days a payments report covers, in whole UTC days. */

const DAY = 86_400_000;
export const PRESETS = [7, 30, 90] as const;
const MAX_DAYS = 366;

export const ymd = (d: Date) => d.toISOString().slice(0, 10);
const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** The last `n` days, today included, in whole UTC days. */
export function lastDays(n: number, now = new Date()): ReportPeriod {
  const end = new Date(startOfUtcDay(now).getTime() + DAY);
  const start = new Date(end.getTime() - n * DAY);
  return {
    firstDay: ymd(start),
    lastDay: ymd(new Date(end.getTime() - DAY)),
    from: start.toISOString(),
    to: end.toISOString(),
    days: n,
  };
}

/** The days from `first` to `last` (YYYY-MM-DD, both included), or why they are not a period. */
export function customPeriod(first: string, last: string): ReportPeriod | string {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(first) || !re.test(last)) return 'Choose a first and a last day.';
  const start = new Date(`${first}T00:00:00Z`);
  const end = new Date(new Date(`${last}T00:00:00Z`).getTime() + DAY);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return 'Those are not valid dates.';
  if (end <= start) return 'The first day must not be after the last day.';
  const days = Math.round((end.getTime() - start.getTime()) / DAY);
  if (days > MAX_DAYS) return `A report covers at most ${MAX_DAYS} days.`;
  return { firstDay: first, lastDay: last, from: start.toISOString(), to: end.toISOString(), days };
}

/** Every day of the period, zero when nothing finished that day. */
export function fillDays(period: ReportPeriod, daily: PaymentsReport['daily']): DailyPoint[] {
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const out: DailyPoint[] = [];
  for (let t = new Date(period.from).getTime(); t < new Date(period.to).getTime(); t += DAY) {
    const day = ymd(new Date(t));
    const d = byDay.get(day);
    out.push({ day, completed: d?.completed ?? 0, failed: d?.failed ?? 0 });
  }
  // An instruction of a batch received in the period may finish after it: keep those days too.
  for (const d of daily)
    if (d.day > period.lastDay) out.push({ day: d.day, completed: d.completed, failed: d.failed });
  return out;
}
