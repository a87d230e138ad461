import helmet from '@fastify/helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppConfig } from './config/app-config.js';

export const BODY_LIMIT_BYTES = 100 * 1024;

/** The built web client; present after `npm run build`. */
const WEB_ROOT = fileURLToPath(new URL('../web', import.meta.url));

/** Nest's own body parsers would add form bodies; Fastify's built-in JSON parser is all the API takes. */
export const APP_OPTIONS = { bodyParser: false } as const;

/** The HTTP adapter main.ts and the e2e tests both start from. */
export function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: process.env.TRUST_PROXY === 'true' });
}

/** Everything main.ts applies to the app, so the e2e tests see exactly production behaviour. */
export async function setupApp(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfig);
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: form and text bodies would let a plain HTML form post to the API.
  fastify.removeContentTypeParser(['text/plain']);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The OpenAPI explorer sets inline styles; scripts stay same-origin only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // The service may be run on plain http (localhost, behind a TLS proxy); do not force https.
        upgradeInsecureRequests: null,
      },
    },
  });

  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: true,
      // The CORS plugin's default (GET, HEAD, POST) would fail the preflight of PUT, PATCH and DELETE.
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // Lets a cross-origin SPA tell the user how long a lockout or throttle lasts.
      exposedHeaders: ['Retry-After'],
    });
  }

  if (config.docsEnabled) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Auth service')
        .setDescription(
          'Registration, login, rotating refresh tokens, sessions, roles and an owned authors resource. ' +
            'Send the access token as `Authorization: Bearer <token>`.',
        )
        .setVersion('1.0')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }

  if (existsSync(WEB_ROOT)) {
    app.useStaticAssets({ root: WEB_ROOT, prefix: '/', index: ['index.html'] });
  }
}
