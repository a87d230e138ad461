import { EncryptionConfig } from '../../config/encryption.config.js';
import { EnvReader } from '../../config/env-reader.js';
import { SecretBox } from './secret-box.js';

const boxWith = (key: string) => new SecretBox(new EncryptionConfig(new EnvReader({ ENCRYPTION_KEY: key }), true));
const KEY = 'k'.repeat(40);

describe('SecretBox', () => {
  it('opens what it sealed, and never stores the plaintext', () => {
    const box = boxWith(KEY);
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', 'user-1')).not.toBe(sealed);
  });

  it('refuses another key, another owner, or a tampered value', () => {
    const sealed = boxWith(KEY).seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(() => boxWith('x'.repeat(40)).open(sealed, 'user-1')).toThrow();
    expect(() => boxWith(KEY).open(sealed, 'user-2')).toThrow();
    const bytes = Buffer.from(sealed.split('.')[1], 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(() => boxWith(KEY).open(`v1.${bytes.toString('base64url')}`, 'user-1')).toThrow();
  });
});
