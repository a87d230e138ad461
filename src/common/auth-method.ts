/**
 * How a login was made, as the access token's `amr` claim and the session row record it
 * (RFC 8176 values): pwd, otp (authenticator app), recovery (recovery code), webauthn
 * (passkey), oidc (an OpenID Connect provider).
 */
export type AuthMethod = 'pwd' | 'otp' | 'recovery' | 'webauthn' | 'oidc';
