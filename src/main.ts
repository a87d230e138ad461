import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { APP_OPTIONS, createAdapter, setupApp } from './app.setup.js';
import { AppConfig } from './config/app-config.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(), APP_OPTIONS);
  await setupApp(app);
  const config = app.get(AppConfig);
  await app.listen(config.port, '0.0.0.0');
  new Logger('Bootstrap').log(`Listening on http://localhost:${config.port} (explorer at /docs)`);
}

bootstrap().catch((error: Error) => {
  new Logger('Bootstrap').error(error.message);
  process.exit(1);
});
