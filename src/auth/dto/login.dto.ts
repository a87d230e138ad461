import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ minLength: 1, maxLength: 256, example: 'ada_l', description: 'The username (any letter case), or the email address of the account' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  username: string;

  @ApiProperty({ format: 'password', minLength: 1, maxLength: 1024, example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}
