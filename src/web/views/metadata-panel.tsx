import type { FC } from 'hono/jsx';
import { englishText, isMessageCode, type MetadataCandidate, type PendingChoice } from '../../contract/index.js';
import type { DriveView } from '../contract-reader.js';
import { fmtDuration } from '../format.js';
import type { Lang, Translate } from '../i18n/index.js';
import { messageText } from '../i18n/message.js';
import { enables } from './drive-state.js';
import { DiscIcon } from './icons.js';
import { pendingKey, secondsLeft } from './metadata-rules.js';

interface PanelProps {
  view: DriveView;
  t: Translate;
  lang: Lang;
  /** For the countdown's first value; the script counts down from `data-deadline` after that. */
  now?: number;
}

/** The cover of a candidate, served from `drives/<id>/covers/` (page-relative: works under the ingress prefix). */
function coverUrl(driveId: string, file: string): string {
  return `api/drives/${encodeURIComponent(driveId)}/covers/${encodeURIComponent(file)}`;
}

/** "Title (Year)" or the title alone. */
function candidateName(candidate: Pick<MetadataCandidate, 'title' | 'year'>): string {
  return candidate.year === null ? candidate.title : `${candidate.title} (${candidate.year})`;
}

function noteText(lang: Lang, note: PendingChoice['notes'][number]): string {
  const text = isMessageCode(note.code) ? englishText(note.code, note.params) : note.code;
  return messageText(lang, { code: note.code, params: note.params, text });
}

const Candidate: FC<{ view: DriveView; candidate: MetadataCandidate; isDefault: boolean; t: Translate }> = ({ view, candidate, isDefault, t }) => {
  const name = candidateName(candidate);
  return (
    <li class="candidate" data-candidate={candidate.id} data-default={isDefault ? 'yes' : 'no'}>
      {candidate.cover_file ? (
        <img class="cand-cover" src={coverUrl(view.id, candidate.cover_file)} alt={t('meta_cover_alt', { title: name })} loading="lazy" decoding="async" width="80" height="120" />
      ) : (
        <span class="cand-cover cand-nocover" role="img" aria-label={t('meta_no_cover')}>
          <DiscIcon />
        </span>
      )}
      <div class="cand-body">
        <p class="cand-head">
          <span class="cand-title" data-field="cand-title">{candidate.title}</span>
          {candidate.year !== null ? <span class="cand-year muted"> ({String(candidate.year)})</span> : null}
          {isDefault ? <span class="chip cand-default">{t('meta_default')}</span> : null}
        </p>
        {candidate.artist ? <p class="cand-artist">{candidate.artist}</p> : null}
        {candidate.overview ? <p class="cand-overview muted small">{candidate.overview}</p> : null}
      </div>
      <button
        type="button"
        class={isDefault ? 'btn btn-primary btn-small' : 'btn btn-outline btn-small'}
        data-action="select_metadata"
        data-candidate={candidate.id}
        aria-label={t('meta_choose_named', { title: name })}
        disabled={!enables(view, 'select_metadata')}
      >
        {t('meta_choose')}
      </button>
    </li>
  );
};

/**
 * The drive's candidates while it waits for the user (`attributes.pending`): each with its cover,
 * a Choose button, the default marked, the time left, a new search, a typed title and Skip.
 * Hidden (and empty) while nothing is pending; the script swaps in a fresh copy from
 * `api/drives/<id>/metadata-panel` when the pending choice changes.
 */
export const MetadataPanel: FC<PanelProps> = ({ view, t, lang, now }) => {
  const pending = view.attributes?.pending ?? null;
  const id = view.id;
  if (!pending) return <section class="metadata" data-field="metadata" data-key="" hidden />;
  const left = secondsLeft(pending.deadline, now ?? Date.now());
  const defaultCandidate = pending.candidates.find((c) => c.id === pending.default_id) ?? null;
  const headId = `drive-${id}-metadata`;
  return (
    <section class="metadata" data-field="metadata" data-key={pendingKey(pending)} data-awaiting={pending.awaiting} aria-labelledby={headId}>
      <h3 id={headId} class="metadata-head">
        {pending.awaiting === 'start' ? t('meta_await_start') : t('meta_await_choice')}
      </h3>
      <p class="muted small" data-field="meta-explain">
        {pending.awaiting === 'start'
          ? defaultCandidate
            ? t('meta_start_uses', { title: candidateName(defaultCandidate) })
            : t('meta_start_label')
          : pending.candidates.length > 0
            ? t('meta_choose_explain')
            : t('meta_none_found')}
      </p>
      {left !== null ? (
        <p class="meta-deadline" data-field="meta-deadline" data-deadline={pending.deadline ?? ''} data-has-default={defaultCandidate ? 'yes' : 'no'}>
          {defaultCandidate ? t('meta_default_in', { s: fmtDuration(left) }) : t('meta_label_in', { s: fmtDuration(left) })}
        </p>
      ) : null}
      {pending.notes.length > 0 ? (
        <ul class="meta-notes">
          {pending.notes.map((note) => (
            <li data-note={note.code}>{noteText(lang, note)}</li>
          ))}
        </ul>
      ) : null}
      {pending.query !== null ? <p class="muted small meta-query">{t('meta_searched_for', { q: pending.query })}</p> : null}
      {pending.candidates.length > 0 ? (
        <ul class="candidates">
          {pending.candidates.map((candidate) => (
            <Candidate view={view} candidate={candidate} isDefault={candidate.id === pending.default_id} t={t} />
          ))}
        </ul>
      ) : null}
      <form class="meta-form" data-form="search_metadata">
        <label class="meta-field">
          <span>{t('meta_search_label')}</span>
          <input type="search" name="query" maxlength={200} required autocomplete="off" value={pending.query ?? ''} disabled={!enables(view, 'search_metadata')} />
        </label>
        <button type="submit" class="btn btn-outline btn-small" data-action="search_metadata" disabled={!enables(view, 'search_metadata')}>
          {t('meta_search')}
        </button>
      </form>
      <form class="meta-form" data-form="set_title">
        <label class="meta-field">
          <span>{t('meta_title_label')}</span>
          <input type="text" name="title" maxlength={200} required autocomplete="off" disabled={!enables(view, 'set_title')} />
        </label>
        <button type="submit" class="btn btn-outline btn-small" data-action="set_title" disabled={!enables(view, 'set_title')}>
          {t('meta_use_title')}
        </button>
      </form>
      <p class="meta-skip">
        <button type="button" class="btn btn-outline btn-small" data-action="skip_metadata" disabled={!enables(view, 'skip_metadata')}>
          {t('meta_skip')}
        </button>
      </p>
    </section>
  );
};
