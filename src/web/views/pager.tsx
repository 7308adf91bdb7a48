import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n/index.js';

/** The query string of `params` with `offset` set (empty values left out), for pager links. */
function pageHref(base: string, params: Readonly<Record<string, string | number | null>>, offset: number): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (key === 'offset' || value === null || value === '') continue;
    search.set(key, String(value));
  }
  if (offset > 0) search.set('offset', String(offset));
  const text = search.toString();
  return text ? `${base}?${text}` : base;
}

interface PagerProps {
  base: string;
  params: Readonly<Record<string, string | number | null>>;
  offset: number;
  limit: number;
  matched: number;
  t: Translate;
}

/** Previous / next page links and "page n of m"; nothing when everything fits one page. */
export const Pager: FC<PagerProps> = ({ base, params, offset, limit, matched, t }) => {
  if (matched <= limit && offset === 0) return null;
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(matched / limit));
  const prev = offset > 0 ? Math.max(0, offset - limit) : null;
  const next = offset + limit < matched ? offset + limit : null;
  return (
    <nav class="pager" aria-label={t('pages')}>
      {prev !== null ? (
        <a class="btn btn-outline btn-small" rel="prev" href={pageHref(base, params, prev)}>
          {t('page_prev')}
        </a>
      ) : (
        <span />
      )}
      <span class="muted small" data-field="page">
        {t('page_of', { n: page, total: pages })}
      </span>
      {next !== null ? (
        <a class="btn btn-outline btn-small" rel="next" href={pageHref(base, params, next)}>
          {t('page_next')}
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
};

/** A filter's drop-down; it submits its form when changed. */
export const Select: FC<{ name: string; label: string; value: string | null; options: { value: string; label: string }[]; all?: string }> = (p) => (
  <label class="field">
    <span>{p.label}</span>
    <select name={p.name} data-autosubmit="">
      {p.all !== undefined ? <option value="">{p.all}</option> : null}
      {p.options.map((o) => (
        <option value={o.value} selected={o.value === p.value}>
          {o.label}
        </option>
      ))}
    </select>
  </label>
);

/** The search box and the date/name/size sort of a list page (archive, history). */
export const SearchAndSort: FC<{ q: string; sort: string; hint: string; t: Translate }> = ({ q, sort, hint, t }) => (
  <>
    <label class="field field-search">
      <span>{t('search')}</span>
      <input type="search" name="q" value={q} placeholder={hint} maxlength={200} />
    </label>
    <Select
      name="sort"
      label={t('sort')}
      value={sort}
      options={[
        { value: 'date', label: t('sort_date') },
        { value: 'name', label: t('sort_name') },
        { value: 'size', label: t('sort_size') },
      ]}
    />
  </>
);

/** A filter form's buttons: submit, and reset to the page without parameters. */
export const FilterActions: FC<{ submit: string; reset: string; t: Translate }> = ({ submit, reset, t }) => (
  <div class="filter-actions">
    <button type="submit" class="btn btn-primary">
      {submit}
    </button>
    <a class="btn btn-outline" href={reset}>
      {t('filter_reset')}
    </a>
  </div>
);
