import { ApiProperty } from '@nestjs/swagger';

export class TotpSetupDto {
  @ApiProperty({ description: 'The base32 secret, for typing into an app by hand', example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' })
  secret: string;

  @ApiProperty({ example: 'otpauth://totp/nest-auth-service:ada_l?issuer=nest-auth-service&secret=...&algorithm=SHA1&digits=6&period=30' })
  otpauthUrl: string;

  @ApiProperty({ description: 'The otpauthUrl as a QR code, a data:image/png URL', example: 'data:image/png;base64,...' })
  qrCode: string;
}

export class RecoveryCodesDto {
  @ApiProperty({ type: [String], description: 'Ten single-use codes, shown only now', example: ['abcde-fghij'] })
  recoveryCodes: string[];
}

export class MfaChallengeDto {
  @ApiProperty({ enum: [true] })
  mfaRequired: true;

  @ApiProperty({ description: 'Present it with a code at POST /api/auth/mfa/verify' })
  mfaToken: string;

  @ApiProperty({ enum: ['totp', 'recovery'], isArray: true, example: ['totp', 'recovery'] })
  methods: string[];

  @ApiProperty({ description: 'Seconds the mfaToken lives', example: 300 })
  expiresIn: number;
}
