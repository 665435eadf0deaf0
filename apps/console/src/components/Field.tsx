import type { ReactNode } from 'react';

/** A labelled form control: the label text above (or, `inline`, beside) the control it names. */
export function Field({ label, grow, inline, children }: { label: ReactNode; grow?: boolean; inline?: boolean; children: ReactNode }) {
  return (
    <label className={`field${inline ? ' inline' : ''}${grow ? ' grow' : ''}`}>
      <span>{label}</span>
      {children}
    </label>
  );
}
