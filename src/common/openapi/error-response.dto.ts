import { ApiProperty } from '@nestjs/swagger';

/** The body of every 4xx and 5xx answer: NestJS's own error shape. */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  statusCode: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What went wrong; validation errors list every failing field',
    example: ['name must be 1-100 characters'],
  })
  message: string | string[];

  @ApiProperty({ description: 'The status text', example: 'Bad Request' })
  error: string;
}
