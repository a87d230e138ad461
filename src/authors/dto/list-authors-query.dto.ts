import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination.js';
import { NO_CONTROL_CHARACTERS } from '../../common/no-control-characters.js';

export const AUTHOR_SORTS = ['name', '-name', 'createdAt', '-createdAt'] as const;
export type AuthorSort = (typeof AUTHOR_SORTS)[number];

export class ListAuthorsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    maxLength: 200,
    description: 'Case-insensitive substring of the name or the book; % and _ match themselves',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'q must not contain control characters' })
  q?: string;

  @ApiPropertyOptional({ maxLength: 60, description: 'Exact country' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  country?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  // Only the two literal words: "1", "yes" or an empty value are errors, not a guess.
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'bookerPrize must be true or false' })
  bookerPrize?: boolean;

  @ApiPropertyOptional({ enum: AUTHOR_SORTS, default: '-createdAt', description: 'A leading "-" sorts descending' })
  @IsOptional()
  @IsIn(AUTHOR_SORTS, { message: `sort must be one of ${AUTHOR_SORTS.join(', ')}` })
  sort: AuthorSort = '-createdAt';

  @ApiPropertyOptional({ format: 'uuid', description: 'Admins only: list this user’s authors instead of their own' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}
