import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/pagination.js';
import type { Author } from '../author.entity.js';

export class AuthorResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Hilary Mantel' })
  name: string;

  @ApiProperty({ example: 'Wolf Hall' })
  book: string;

  @ApiProperty({ example: 'United Kingdom' })
  country: string;

  @ApiProperty({ example: true })
  bookerPrize: boolean;

  @ApiProperty({ format: 'uuid', description: 'The user who created the author' })
  ownerId: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;

  static from(author: Author): AuthorResponseDto {
    return {
      id: author.id,
      name: author.name,
      book: author.book,
      country: author.country,
      bookerPrize: author.bookerPrize,
      ownerId: author.ownerId,
      createdAt: author.createdAt,
      updatedAt: author.updatedAt,
    };
  }
}

export class AuthorPageDto extends PageMetaDto {
  @ApiProperty({ type: [AuthorResponseDto] })
  items: AuthorResponseDto[];
}
