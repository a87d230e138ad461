import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { NO_CONTROL_CHARACTERS } from '../../common/no-control-characters.js';
import { MaxCodePoints } from '../../common/max-code-points.js';

export class UpdateMeDto {
  @ApiPropertyOptional({ type: String, maxLength: 100, nullable: true, example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxCodePoints(100, 'name')
  @Matches(NO_CONTROL_CHARACTERS, { message: 'name must not contain control characters' })
  name?: string | null;
}
