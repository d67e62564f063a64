/**
 * campaignd as a library: start the server in-process (tests, embedding) or reach its parts.
 *
 * @example const app = await startApp(loadConfig({ CAMPAIGND_PORT: '0' }))
 */
export { startApp, createLogger, type RunningApp, type StartOptions } from './app.js';
export { loadConfig, ConfigError, type Config, type Deployment } from './config/index.js';
export { buildServer } from './http/server.js';
export { ManualClock, systemClock, type Clock } from './engine/clock.js';
export { RESULT_CODES, DomainError, type ResultCode } from './domain/errors.js';
export { OBS_CODES, findObsCode } from './domain/obs-codes.js';
export * from './client/index.js';
