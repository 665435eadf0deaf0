/** The "Load more" button under a list fetched a page at a time; shown only when there is more. */
export function LoadMore({ more, busy, onLoad }: { more: boolean; busy: boolean; onLoad: () => void }) {
  if (!more) return null;
  return (
    <button type="button" className="btn" disabled={busy} onClick={onLoad} data-testid="load-more">
      {busy ? 'Loading…' : 'Load more'}
    </button>
  );
}
