// The matchmaker's ticket verifier settings with the cache off: every call is a full verify.
import { DEMO_CONFIG, parseSharedConfig } from '@ticketbooth/config';
import { KeyRing, createVerificationKey, createVerifier } from '@ticketbooth/tickets';

export function coldVerifier(issuerPublic: string) {
  const shared = parseSharedConfig(DEMO_CONFIG);
  return createVerifier({
    keys: new KeyRing({ verification: [createVerificationKey({ publicKey: issuerPublic })] }),
    purpose: 'ticket',
    issuer: shared.issuer,
    audience: shared.audiences.ticket,
    maxLifetimeMs: shared.ticketTtlMs,
    cacheSize: 0,
    now: Date.now,
  });
}
