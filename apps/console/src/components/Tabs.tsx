import { setQuery, useRoute } from '../router';

/** Tabs kept in the query string as `tab`; choosing one also clears the `reset` parameters. */
export function QueryTabs({ tabs, current, reset = [] }: { tabs: readonly (readonly [string, string])[]; current: string; reset?: readonly string[] }) {
  const route = useRoute();
  return (
    <div className="tabs" role="tablist">
      {tabs.map(([id, label]) => (
        <button
          key={id}
          type="button"
          role="tab"
          aria-selected={current === id}
          className={`tab ${current === id ? 'active' : ''}`}
          onClick={() => setQuery(route, { tab: id, ...Object.fromEntries(reset.map((k) => [k, undefined])) }, false)}
          data-testid={`tab-${id}`}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
