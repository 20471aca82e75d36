// Signing keys and cookie keys of the dev identity provider.
//
// The RS256 signing key is generated once and kept in <IDP_STATE_DIR>/jwks.json (mode 0600), so that a restart
// of the IdP in dev keeps the ID tokens it issued verifiable against the same JWKS. Sessions, codes and grants
// live in memory and do not survive a restart (sign in again). Tests pass a temporary IDP_STATE_DIR.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

/** The private JWKS for the provider: read from the state directory, or created there on first start. */
export function loadOrCreateJwks(stateDir) {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'jwks.json');
  try {
    const jwks = JSON.parse(readFileSync(file, 'utf8'));
    if (Array.isArray(jwks.keys) && jwks.keys.length > 0) return { jwks, file, created: false };
  } catch (error) {
    if (error.code !== 'ENOENT') throw new Error(`${file} cannot be read: delete it to get a new key`, { cause: error });
  }
  const jwks = { keys: [newSigningKey()] };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(jwks), { mode: 0o600 });
  renameSync(temporary, file);
  return { jwks, file, created: true };
}

/** Cookie signing keys: IDP_COOKIE_KEYS (comma-separated) or random for this run (sessions are in memory anyway). */
export function cookieKeys(env = process.env) {
  const configured = (env.IDP_COOKIE_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  return configured.length > 0 ? configured : [randomBytes(32).toString('base64url')];
}
