import type { FC } from 'hono/jsx';

/** Small inline icons (drawn here; no icon font, nothing fetched). Decorative: hidden from screen readers. */
const Svg: FC<{ children: unknown; class?: string }> = ({ children, class: cls }) => (
  <svg class={`icon ${cls ?? ''}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    {children}
  </svg>
);

const discShape = () => (
  <>
    <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="1.6" />
    <circle cx="12" cy="12" r="2.6" fill="none" stroke="currentColor" stroke-width="1.6" />
    <path d="M12 5.2a6.8 6.8 0 0 1 6.8 6.8" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" opacity=".55" />
  </>
);

export const DiscIcon: FC<{ class?: string }> = (props) => <Svg class={props.class}>{discShape()}</Svg>;

export const EjectIcon: FC = () => (
  <Svg>
    <path d="M12 5.5 18.5 14h-13z" fill="currentColor" />
    <rect x="5.5" y="16" width="13" height="2.4" rx="1" fill="currentColor" />
  </Svg>
);

export const CloseTrayIcon: FC = () => (
  <Svg>
    <path d="M12 18.5 5.5 10h13z" fill="currentColor" />
    <rect x="5.5" y="5.6" width="13" height="2.4" rx="1" fill="currentColor" />
  </Svg>
);

export const StopIcon: FC = () => (
  <Svg>
    <rect x="6.5" y="6.5" width="11" height="11" rx="2" fill="currentColor" />
  </Svg>
);

export const PlayIcon: FC = () => (
  <Svg>
    <path d="M8.5 5.8v12.4L18.3 12z" fill="currentColor" />
  </Svg>
);

const downloadShape = () => (
  <path d="M12 4v10m-4.5-4.5L12 14l4.5-4.5M5 19h14" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
);
const trashShape = () => (
  <path d="M5 7h14M10 7V5h4v2m-7 0 .8 12h8.4L17 7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
);
const checkShape = () => <path d="m5.5 12.5 4 4 9-9" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" />;

const SPRITE = { disc: discShape, download: downloadShape, trash: trashShape, check: checkShape } as const;
export type SpriteIcon = keyof typeof SPRITE;

/** The icons a long list repeats, drawn once per page; `UseIcon` refers to them (50 items × 4 icons would be 60 KB). */
export const IconSprite: FC = () => (
  <svg class="sprite" aria-hidden="true" focusable="false">
    {Object.entries(SPRITE).map(([id, shape]) => (
      <symbol id={`i-${id}`} viewBox="0 0 24 24">
        {shape()}
      </symbol>
    ))}
  </svg>
);

export const UseIcon: FC<{ id: SpriteIcon; class?: string }> = ({ id, class: cls }) => (
  <svg class={`icon ${cls ?? ''}`} aria-hidden="true" focusable="false">
    <use href={`#i-${id}`} />
  </svg>
);
