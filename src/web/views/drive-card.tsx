import type { FC } from 'hono/jsx';
import type { Progress } from '../../contract/index.js';
import type { DriveView } from '../contract-reader.js';
import { badRuns, fmtBytes, fmtDate, fmtDuration, fmtPercent, fmtSpeed } from '../format.js';
import type { Lang, MessageKey, Translate } from '../i18n/index.js';
import { messageText } from '../i18n/message.js';
import { driveTitle, enables, showsProgress } from './drive-state.js';
import { CloseTrayIcon, DiscIcon, EjectIcon, PlayIcon, StopIcon } from './icons.js';
import { MetadataPanel } from './metadata-panel.js';

interface CardProps {
  view: DriveView;
  t: Translate;
  lang: Lang;
}

const Fact: FC<{ label: string; field: string; value: string }> = ({ label, field, value }) => (
  <div class="fact">
    <dt>{label}</dt>
    <dd data-field={field}>{value}</dd>
  </div>
);

const BadMap: FC<{ progress: Progress | null; t: Translate }> = ({ progress, t }) => {
  const total = progress?.bytes_total ?? 0;
  const done = total > 0 ? Math.min(1000, ((progress?.bytes_done ?? 0) / total) * 1000) : 0;
  const runs = badRuns(progress?.bad_ranges ?? [], total);
  return (
    <figure class="badmap">
      <figcaption>
        <span>{t('bad_sector_map')}</span>
        <span class="muted" data-field="bad-summary">
          {progress && progress.bad_sectors > 0 ? t('bad_sectors_n', { n: progress.bad_sectors }) : t('no_bad_sectors')}
        </span>
      </figcaption>
      <svg viewBox="0 0 1000 12" preserveAspectRatio="none" role="img" aria-label={t('bad_sector_map')}>
        <rect class="badmap-track" x="0" y="0" width="1000" height="12" />
        <rect class="badmap-done" data-field="badmap-done" x="0" y="0" width={done.toFixed(1)} height="12" />
        <g data-field="badmap-runs">
          {runs.map(([x, w]) => (
            <rect class="badmap-bad" x={x} y="0" width={w} height="12" />
          ))}
        </g>
      </svg>
    </figure>
  );
};

const ProgressBlock: FC<{ view: DriveView; t: Translate; lang: Lang }> = ({ view, t, lang }) => {
  const p = view.progress;
  const percent = p?.percent ?? 0;
  return (
    <div class="job" data-field="job" hidden={!showsProgress(view)}>
      <div class="job-head">
        <span data-field="phase">{p?.phase ? t(`phase_${p.phase}`) : ''}</span>
        <span class="job-percent" data-field="percent">{fmtPercent(percent, lang)}</span>
      </div>
      <progress data-field="progress" max="100" value={percent.toFixed(1)} aria-label={t('progress')} />
      <dl class="stats">
        <Fact label={t('speed')} field="speed" value={fmtSpeed(p?.speed_bytes_per_s, lang)} />
        <Fact label={t('eta')} field="eta" value={fmtDuration(p?.eta_seconds)} />
        <Fact label={t('copied')} field="copied" value={p ? `${fmtBytes(p.bytes_done, lang)} / ${fmtBytes(p.bytes_total, lang)}` : '—'} />
        <Fact label={t('bad_sectors')} field="bad_sectors" value={String(p?.bad_sectors ?? 0)} />
      </dl>
      {/* Shown by the script once it has sampled two progress updates of this job. */}
      <figure class="chart" data-field="chart-box" hidden>
        <figcaption>
          <span>{t('read_speed')}</span>
          <span class="muted" data-field="chart-peak" />
        </figcaption>
        <svg data-field="chart" viewBox="0 0 300 70" preserveAspectRatio="none" role="img" aria-label={t('read_speed')}>
          <line class="chart-grid" x1="0" y1="17.5" x2="300" y2="17.5" />
          <line class="chart-grid" x1="0" y1="35" x2="300" y2="35" />
          <line class="chart-grid" x1="0" y1="52.5" x2="300" y2="52.5" />
          <polygon class="chart-area" data-field="chart-area" points="" />
          <polyline class="chart-line" data-field="chart-line" points="" />
        </svg>
      </figure>
      <BadMap progress={p} t={t} />
    </div>
  );
};

/** One drive: state in words, the disc, the running job and its controls. */
export const DriveCard: FC<CardProps> = ({ view, t, lang }) => {
  const { status, attributes: a } = view;
  const state = status?.state;
  const id = view.id;
  const titleId = `drive-${id}-title`;
  const hasDisc = Boolean(a && (a.disc_label !== null || a.disc_type !== null));
  return (
    <section class="card drive" data-drive={id} data-state={state ?? 'unknown'} aria-labelledby={titleId}>
      <header class="card-head">
        <div class="card-title">
          <h2 id={titleId} data-field="title">{driveTitle(view)}</h2>
          <p class="muted small" data-field="path">{status ? `${status.drive.path} · ${id}` : id}</p>
        </div>
        <span class="chip state-chip" data-field="state">{t(state ? `state_${state}` : 'state_unknown')}</span>
      </header>
      <p class="status-line">
        <span data-field="message">{status ? messageText(lang, { code: status.message_code, params: status.message_params, text: status.message }) : ''}</span>{' '}
        <time class="muted small" data-field="since" datetime={status?.since ?? ''}>
          {status ? t('since', { t: fmtDate(status.since, lang) }) : ''}
        </time>
      </p>
      <p class="stale" data-field="stale" hidden role="alert" />
      <div class="disc" data-field="disc" data-has-disc={hasDisc ? 'yes' : 'no'}>
        <DiscIcon class="disc-art" />
        <div class="disc-body">
          <p class="disc-label" data-field="disc_label">{a?.disc_label ?? t('no_disc')}</p>
          <dl class="facts">
            <Fact label={t('type')} field="disc_type" value={a?.disc_type ? t(`type_${a.disc_type}` as MessageKey) : '—'} />
            <Fact label={t('size')} field="disc_size" value={a?.disc_size_bytes != null ? fmtBytes(a.disc_size_bytes, lang) : a?.disc_size_mb != null ? fmtBytes(a.disc_size_mb * 1024 * 1024, lang) : '—'} />
            <Fact label={t('method')} field="method" value={a?.method ?? '—'} />
          </dl>
        </div>
      </div>
      <MetadataPanel view={view} t={t} lang={lang} />
      <ProgressBlock view={view} t={t} lang={lang} />
      <footer class="actions">
        <label class="switch" title={t('auto_copy')}>
          <input type="checkbox" role="switch" data-action="set_auto_copy" checked={status?.auto_copy ?? false} disabled={!enables(view, 'set_auto_copy')} />
          <span class="switch-label">{t('auto_copy_short')}</span>
        </label>
        <div class="buttons">
          <button type="button" class="btn btn-primary" data-action="start" aria-label={t('start_copy')} disabled={!enables(view, 'start')}>
            <PlayIcon />
            <span class="label-long">{t('start_copy')}</span>
            <span class="label-short">{t('start_short')}</span>
          </button>
          <button type="button" class="btn btn-danger" data-action="cancel" aria-label={t('cancel_copy')} disabled={!enables(view, 'cancel')}>
            <StopIcon />
            <span class="label-long">{t('cancel_copy')}</span>
            <span class="label-short">{t('cancel_short')}</span>
          </button>
          <button type="button" class="btn btn-outline" data-action="eject" disabled={!enables(view, 'eject')}>
            <EjectIcon />
            <span>{t('eject')}</span>
          </button>
          <button type="button" class="btn btn-outline" data-action="close_tray" aria-label={t('close_tray')} disabled={!enables(view, 'close_tray')}>
            <CloseTrayIcon />
            <span class="label-long">{t('close_tray')}</span>
            <span class="label-short">{t('close_tray_short')}</span>
          </button>
        </div>
      </footer>
    </section>
  );
};
