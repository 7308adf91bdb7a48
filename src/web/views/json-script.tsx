import type { FC } from 'hono/jsx';

/** JSON that is safe inside a <script type="application/json"> element (no `</script>` breakout). */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A data block for the client script; not executed, so the CSP allows it. */
export const JsonScript: FC<{ id: string; value: unknown }> = ({ id, value }) => (
  <script type="application/json" id={id} dangerouslySetInnerHTML={{ __html: scriptSafeJson(value) }} />
);
