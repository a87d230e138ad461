import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/pagination.js';
import { UserResponseDto } from './user-response.dto.js';

export class UserPageDto extends PageMetaDto {
  @ApiProperty({ type: [UserResponseDto] })
  items: UserResponseDto[];
}
