// What NestJS + Fastify costs on its own, built from this project's own packages, so the
// benchmark can say how much of /api/users/me is the framework and how much the service:
//
//   plain     one GET route answering a small JSON object: Nest's router, no guard
//   passport  the same route behind a global @nestjs/passport guard with passport-jwt's
//             strategy (HS256 pinned, iss, aud, typ checked as the service does), verifying
//             the token with jsonwebtoken on every request; no database, no cache
//
//   node bench/nest-baseline.mjs plain|passport     (JWT_SECRET and PORT from the environment)
//
// Plain JavaScript with Nest's decorators applied as functions (no TypeScript step), and no
// logger: it is the floor under the service, not a second service.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';

const mode = process.argv[2];
if (mode !== 'plain' && mode !== 'passport') throw new Error('usage: nest-baseline.mjs plain|passport');
const secret = process.env.JWT_SECRET;
if (!secret) throw new Error('JWT_SECRET is required');

class MeController {
  me(request) {
    const user = request.user;
    return user ? { id: user.sub, role: user.role, sessionId: user.sid } : { id: 'anonymous' };
  }
}
Req()(MeController.prototype, 'me', 0);
Reflect.decorate([Get('me')], MeController.prototype, 'me', Object.getOwnPropertyDescriptor(MeController.prototype, 'me'));
Controller('api/users')(MeController);

class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: createSecretKey(Buffer.from(secret, 'utf8')),
      algorithms: ['HS256'],
      issuer: process.env.JWT_ISSUER ?? 'nest-auth-service',
      audience: process.env.JWT_AUDIENCE ?? 'nest-auth-service',
    });
  }

  validate(claims) {
    return claims.typ === 'access' ? claims : false;
  }
}
Injectable()(JwtStrategy);

class JwtGuard extends AuthGuard('jwt') {}
Injectable()(JwtGuard);

class BaselineModule {}
Module(
  mode === 'passport'
    ? { imports: [PassportModule], controllers: [MeController], providers: [JwtStrategy, { provide: APP_GUARD, useClass: JwtGuard }] }
    : { controllers: [MeController] },
)(BaselineModule);

const app = await NestFactory.create(BaselineModule, new FastifyAdapter(), { logger: false, bodyParser: false });
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const { port } = app.getHttpServer().address();
if (process.send) process.send({ port });
else console.log(`Nest baseline (${mode}) on http://127.0.0.1:${port}/api/users/me`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
