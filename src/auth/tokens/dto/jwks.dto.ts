import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A public signing key as RFC 7517 describes it: only the members a verifier needs. */
export class JwkDto {
  @ApiProperty({ description: 'RFC 7638 thumbprint of the key; tokens name it in their `kid` header', example: 'Q7xP0t6K2m9Jd1Y3bC4nF8sW5eR0uT2vX6zA1hL9oGk' })
  kid!: string;

  @ApiProperty({ enum: ['ES256', 'EdDSA'] })
  alg!: string;

  @ApiProperty({ enum: ['sig'] })
  use!: string;

  @ApiProperty({ enum: ['EC', 'OKP'] })
  kty!: string;

  @ApiProperty({ enum: ['P-256', 'Ed25519'] })
  crv!: string;

  @ApiProperty({ description: 'Public key (base64url)' })
  x!: string;

  @ApiPropertyOptional({ description: 'Public key, second coordinate (EC keys only)' })
  y?: string;
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto], description: 'Every key that verifies tokens; empty with JWT_ALGORITHM=HS256' })
  keys!: JwkDto[];
}
