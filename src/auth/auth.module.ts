import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AbuseModule } from '../abuse/abuse.module.js';
import { AppConfig } from '../config/app-config.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { FreshGuard } from './guards/fresh.guard.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { jwtModuleOptions } from './jwt-key.js';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [
    PassportModule.register({ session: false }),
    AbuseModule,
    JwtModule.registerAsync({ inject: [AppConfig], useFactory: jwtModuleOptions }),
    UsersModule,
    SessionsModule,
    PasswordsModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokensService,
    LocalStrategy,
    JwtStrategy,
    JwtRefreshStrategy,
    JwtAuthGuard,
    RolesGuard,
    FreshGuard,
  ],
  exports: [JwtAuthGuard, RolesGuard, FreshGuard],
})
export class AuthModule {}
