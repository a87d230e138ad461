import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config.js';
import { validateEnvironment } from './env.validation.js';

@Global()
@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true, validate: validateEnvironment, cache: true })],
  providers: [
    {
      provide: AppConfig,
      inject: [ConfigService],
      // ConfigService holds the validated environment; AppConfig reads it by variable name.
      useFactory: (config: ConfigService) =>
        new AppConfig(new Proxy({}, { get: (_, key: string) => config.get<string>(key) })),
    },
  ],
  exports: [AppConfig],
})
export class AppConfigModule {}
