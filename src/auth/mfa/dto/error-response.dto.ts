import { ApiProperty } from '@nestjs/swagger';

/** Nest's error body, as the error filter gives it for every status. */
export class ErrorResponseDto {
  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: 'Invalid code' })
  message: string | string[];

  @ApiProperty({ example: 'Unauthorized' })
  error: string;
}
