// First: it tunes the garbage collector before the application allocates anything.
import './v8-tuning.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { APP_OPTIONS, createAdapter, setupApp } from './app.setup.js';
import { KeyRing } from './auth/tokens/key-ring.js';
import { HttpConfig } from './config/http.config.js';

/** After SHUTDOWN_TIMEOUT the open connections are cut; if even that does not end it, leave anyway. */
const HARD_EXIT_GRACE_MS = 2000;
const IDLE_REAP_INTERVAL_MS = 100;

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(), {
    ...APP_OPTIONS,
    // Start-up lines wait for the JSON logger instead of going out as plain text.
    bufferLogs: true,
    // During shutdown, requests on kept-alive connections get 503 and `Connection: close`.
    return503OnClosing: true,
  });
  await setupApp(app);
  const http = app.get(HttpConfig);
  await app.listen(http.port, '0.0.0.0');
  new Logger('Bootstrap').log(`Listening on http://localhost:${http.port} (explorer at /docs)`);
  stopGracefullyOnSignals(app, http.shutdownTimeoutSeconds);
  // SIGHUP: read JWT_KEYS_DIR again now (it is also re-read every minute), e.g. right after `npm run keys:add`.
  const keys = app.get(KeyRing);
  process.on('SIGHUP', () => keys.reload());
}

/**
 * SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish, close the
 * database, exit 0. Requests still open after SHUTDOWN_TIMEOUT are cut and the exit code is 1.
 */
function stopGracefullyOnSignals(app: NestFastifyApplication, timeoutSeconds: number): void {
  const logger = new Logger('Shutdown');
  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal} received: finishing in-flight requests (at most ${timeoutSeconds}s)`);
    const server = app.getHttpServer();
    // A kept-alive connection whose request finishes during the drain would hold the server
    // open until its keep-alive timeout: close each one as soon as it is idle.
    setInterval(() => server.closeIdleConnections(), IDLE_REAP_INTERVAL_MS).unref();
    let cut = false;
    const deadline = setTimeout(() => {
      cut = true;
      logger.error(`Requests still open after ${timeoutSeconds}s: closing their connections`);
      server.closeAllConnections();
      setTimeout(() => process.exit(1), HARD_EXIT_GRACE_MS).unref();
    }, timeoutSeconds * 1000);
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.log('Stopped');
        process.exit(cut ? 1 : 0);
      },
      (error: Error) => {
        logger.error(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

bootstrap().catch((error: Error) => {
  new Logger('Bootstrap').error(error.message);
  process.exit(1);
});
