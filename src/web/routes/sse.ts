import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Logger } from '../../log/index.js';
import { errorMessage } from '../../util/errors.js';
import type { ContractHub, HubMessage } from '../contract-hub.js';
import type { ContractReader } from '../contract-reader.js';
import { MessageQueue } from '../message-queue.js';
import type { WebEnv } from '../types.js';

export interface SseRouteDeps {
  hub: ContractHub;
  reader: ContractReader;
  logger: Logger;
  heartbeatMs: number;
}

/**
 * `GET api/events`: a snapshot on connect, then every change of the contract as it happens,
 * and a heartbeat every `heartbeatMs`. All clients share the hub's one watcher.
 */
export function sseRoutes({ hub, reader, logger, heartbeatMs }: SseRouteDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.get('/api/events', (c) => {
    const response = streamSSE(
      c,
      async (stream) => {
        const queue = new MessageQueue<HubMessage>();
        const subscription = hub.subscribe({ message: (m) => queue.push(m), close: () => queue.close() });
        stream.onAbort(() => {
          subscription.unsubscribe();
          queue.close();
        });
        try {
          await subscription.ready;
          const snapshot = await reader.snapshot();
          await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(snapshot), retry: 3000 });
          let lastBeat = Date.now();
          for (;;) {
            const next = await queue.next(heartbeatMs - (Date.now() - lastBeat));
            if ('signal' in next) {
              if (next.signal !== 'timeout') break;
              await stream.writeSSE({ event: 'heartbeat', data: JSON.stringify({ time: new Date().toISOString() }) });
              lastBeat = Date.now();
              continue;
            }
            const id = next.event === 'event' ? String(next.data.seq) : undefined;
            await stream.writeSSE({ event: next.event, data: JSON.stringify(next.data), ...(id ? { id } : {}) });
          }
        } finally {
          subscription.unsubscribe();
        }
      },
      async (error) => {
        logger.warn({ err: errorMessage(error) }, 'SSE stream failed');
        await Promise.resolve();
      },
    );
    // Proxies must neither buffer nor compress an event stream.
    response.headers.set('Cache-Control', 'no-cache, no-transform');
    response.headers.set('X-Accel-Buffering', 'no');
    return response;
  });
  return app;
}
