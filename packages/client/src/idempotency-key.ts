// Idempotency keys for ticket requests: a retried request gets the ticket the first one got.

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `<client ms>.<22 random chars>`: the issuer derives a retried request's ticket from it. */
export function newIdempotencyKey(now: () => number, random: () => number): string {
  let part = '';
  for (let i = 0; i < 22; i++) part += KEY_ALPHABET[Math.floor(random() * 64)];
  return `${now()}.${part}`;
}
