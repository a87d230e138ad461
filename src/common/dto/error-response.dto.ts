import { ApiProperty } from '@nestjs/swagger';

/** Nest's error shape, as every error answer carries it (API.md "Conventions"). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'One message, or one per failing field',
    example: ['email must be a valid email address'],
  })
  message: string | string[];

  @ApiProperty({ example: 'Bad Request' })
  error: string;
}
