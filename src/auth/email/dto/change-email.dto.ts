import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../../common/is-email-address.js';

export class ChangeEmailDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com', description: 'Unique case-insensitively' })
  @IsString()
  @MaxLength(254)
  @IsEmailAddress()
  email: string;
}
