import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the link mailed to the address', example: 'q8Vd3...' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  token: string;
}
