import pino from 'pino';
import type { Logger } from './api.js';

/** The controllers' logger on pino (fastify's logger), JSON lines on stdout. */
export function pinoLogger(level: string): Logger {
  const log = pino({ level, base: { component: 'controllers' } });
  return {
    info: (msg, fields) => log.info(fields ?? {}, msg),
    error: (msg, fields) => log.error(fields ?? {}, msg),
    debug: (msg, fields) => log.debug(fields ?? {}, msg),
  };
}
