import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';

export class ChangeEmailDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com', description: 'Unique case-insensitively' })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;
}
