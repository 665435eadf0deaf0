import type { ReactNode } from 'react';
import { api, seg } from '../../api';
import { useAction } from '../../hooks';
import { SCOPE, useSession } from '../../session';
import type { Advice } from '../../types';
import { useConfirm, useToast } from '../../ui';

/** Advice states an operator may send again (the server requeues only these: bill-payments.repository.ts). */
const RESENDABLE = ['pending', 'failed', 'accepted'];

/**
 * Sending the mark-bill-paid advice of a payment to its biller again: `canResend` tells whether this operator may
 * for an advice in that state; `resend` asks first, then requeues it and calls `onResent`.
 */
export function useAdviceResend(onResent: () => void) {
  const { can } = useSession();
  const action = useAction();
  const confirm = useConfirm();
  const toast = useToast();

  const canResend = (adviceStatus: string) => can(...SCOPE.advicesResend) && RESENDABLE.includes(adviceStatus);

  const resend = async ({ paymentId, billId, message }: { paymentId: string; billId: string; message: ReactNode }) => {
    const ok = await confirm({ title: 'Send this advice again now?', message, confirmLabel: 'Re-send advice' });
    if (!ok) return;
    const r = await action.run(() => api.post<Advice>(`/p2g/advices/${seg(paymentId)}/resend`));
    if (r) {
      toast(`Advice for ${billId} queued again.`);
      onResent();
    }
  };

  return { action, canResend, resend };
}
