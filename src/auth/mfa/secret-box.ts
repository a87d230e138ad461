import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { EncryptionConfig } from '../../config/encryption.config.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals small secrets at rest with AES-256-GCM under ENCRYPTION_KEY. `context` (the owner's
 * id) is authenticated with the ciphertext, so a sealed value copied onto another row will
 * not open there.
 */
@Injectable()
export class SecretBox {
  private cachedKey?: Buffer;

  constructor(private readonly config: EncryptionConfig) {}

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  /** Throws when the value was not sealed under this key for this context. */
  open(sealed: string, context: string): string {
    const [version, payload] = sealed.split('.');
    if (version !== VERSION || !payload) throw new Error('Unknown sealed value format');
    const bytes = Buffer.from(payload, 'base64url');
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key(), iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** ENCRYPTION_KEY is a passphrase of any length ≥ 32; AES-256 needs exactly 32 bytes. */
  private key(): Buffer {
    return (this.cachedKey ??= createHash('sha256').update(this.config.key, 'utf8').digest());
  }
}
