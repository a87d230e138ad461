import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_MARK } from '../openapi/decorators.js';

export const IS_PUBLIC_KEY = 'isPublic';

/** Opts a route out of the global access-token guard (and documents it with `security: []`). */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_MARK, true));
