import { useState, type ReactNode } from 'react';
import { humanize } from '../format';
import { setQuery, useRoute } from '../router';
import { Field } from './Field';

/** A filter drop-down: "any" first (the empty value), then each choice. */
export function ChoiceSelect({
  value,
  choices,
  any,
  onChange,
  testId,
  ariaLabel,
  labelOf = humanize,
}: {
  value: string;
  choices: readonly string[];
  any: string;
  onChange: (value: string) => void;
  testId: string;
  ariaLabel?: string;
  labelOf?: (choice: string) => string;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} aria-label={ariaLabel} data-testid={testId}>
      <option value="">{any}</option>
      {choices.map((s) => (
        <option key={s} value={s}>
          {labelOf(s)}
        </option>
      ))}
    </select>
  );
}

/** A filter drop-down bound to the query parameter `param`; changing it goes back to the first page. */
export function QuerySelect({ param, ...rest }: { param: string } & Omit<Parameters<typeof ChoiceSelect>[0], 'value' | 'onChange'>) {
  const route = useRoute();
  return <ChoiceSelect value={route.query.get(param) ?? ''} onChange={(v) => setQuery(route, { [param]: v, offset: undefined })} {...rest} />;
}

/** The bar of filters above a list; submitting it (Enter in a text box) calls `onSubmit`. */
export function FilterForm({ onSubmit, children }: { onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      className="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/**
 * Look something up by one ID kept in the query string as `param`: submitting the same ID again reloads it,
 * another ID replaces it.
 */
export function LookupForm({
  param,
  label,
  placeholder,
  reload,
  inputTestId,
  buttonTestId,
}: {
  param: string;
  label: string;
  placeholder: string;
  reload: () => void;
  inputTestId: string;
  buttonTestId: string;
}) {
  const route = useRoute();
  const applied = route.query.get(param) ?? '';
  const [input, setInput] = useState(applied);
  return (
    <FilterForm
      onSubmit={() => {
        if (input.trim() === applied) reload();
        else setQuery(route, { [param]: input.trim() });
      }}
    >
      <Field label={label} inline grow>
        <input required value={input} onChange={(e) => setInput(e.target.value)} placeholder={placeholder} data-testid={inputTestId} />
      </Field>
      <button type="submit" className="btn btn-primary" data-testid={buttonTestId}>
        Look up
      </button>
    </FilterForm>
  );
}
