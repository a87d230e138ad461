import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NO_CONTROL_CHARACTERS } from '../../common/no-control-characters.js';

export class UpdateMeDto {
  @ApiPropertyOptional({ type: String, maxLength: 100, nullable: true, example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'name must not contain control characters' })
  name?: string | null;
}
