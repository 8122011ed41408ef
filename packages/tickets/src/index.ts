export { isCanonicalBase64url } from './base64url.ts';
export { ExpiringLru, type CacheStats } from './cache.ts';
export {
  CLAIM_SCHEMAS,
  assignmentClaims,
  assignmentDetails,
  attributeValue,
  attributesSchema,
  type Attributes,
  connectAddress,
  type AssignmentClaims,
  PURPOSES,
  inviteClaims,
  isPurpose,
  matchClaims,
  memberSchema,
  pasetoDate,
  poolSchema,
  registeredClaims,
  revocationsClaims,
  sessionClaims,
  slug,
  ticketClaims,
  toPasetoDate,
  type ClaimsOf,
  type InviteClaims,
  type MatchClaims,
  type Member,
  type Pool,
  type Purpose,
  type RegisteredClaims,
  type RevocationsClaims,
  type SessionClaims,
  type TicketClaims,
} from './claims.ts';
export { isWeakPublicKey, generateSeed } from './ed25519.ts';
export { TICKET_ERROR_CODES, TicketError, isTicketError, type TicketErrorCode } from './errors.ts';
export {
  activateNextKey,
  applyKeyFile,
  dropRetiredKeys,
  generateKeyFile,
  keyFileSchema,
  keyRingFromFile,
  keyRole,
  loadOrCreateKeyFile,
  nextKey,
  publicKeySet,
  publicKeySetSchema,
  readKeyFile,
  removeKey,
  rotateKeyFile,
  writeKeyFile,
  type KeyFile,
  type KeyFileEntry,
  type KeyRole,
  type PublicKeySet,
} from './key-file.ts';
export { watchKeyFile, type KeyFileWatcher, type KeyFileWatchOptions } from './key-file-watcher.ts';
export { KEYS_COMMANDS, isKeysCommand, runKeysCommand, type KeysCommand, type KeysCommandOptions } from './keys-command.ts';
export {
  KeyRing,
  createSigningKey,
  createVerificationKey,
  type SigningKey,
  type VerificationKey,
  type VerificationKeyInput,
} from './key-ring.ts';
export { decodePublicPaserk, decodeSecretPaserk, encodePublicPaserk, encodeSecretPaserk, publicKeyId } from './paserk.ts';
export { DEFAULT_MAX_TOKEN_BYTES, parseToken, signV4Public, type ParsedToken } from './paseto.ts';
export { implicitAssertion, signToken, type Footer } from './token.ts';
export { createVerifier, verifyRaw, type Verified, type Verifier, type VerifierOptions, type VerifierStats } from './verifier.ts';
