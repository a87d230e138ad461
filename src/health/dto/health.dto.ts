import { ApiProperty } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/openapi/error-response.dto.js';

export class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ enum: ['up'] })
  database: 'up';
}

/** The 503 keeps the error shape and adds the same two fields a monitor reads on success. */
export class HealthDownDto extends ErrorResponseDto {
  @ApiProperty({ enum: ['error'] })
  status: 'error';

  @ApiProperty({ enum: ['down'] })
  database: 'down';
}
