// Players whose tickets issued before a time are refused: filled from the issuer's signed feed.

/**
 * `sub → notBefore`: tickets of `sub` issued before `notBefore` are revoked.
 * An entry can go once every ticket it could refuse has expired.
 *
 * @example
 * revocations.add('player-1', now); revocations.isRevoked('player-1', ticketIssuedAt) // true
 */
export class Revocations {
  readonly #notBefore = new Map<string, number>();

  /** Keeps the latest `notBefore` per player. */
  add(sub: string, notBefore: number): void {
    const current = this.#notBefore.get(sub);
    if (current === undefined || notBefore > current) this.#notBefore.set(sub, notBefore);
  }

  isRevoked(sub: string, issuedAt: number): boolean {
    const notBefore = this.#notBefore.get(sub);
    return notBefore !== undefined && issuedAt < notBefore;
  }

  /** A party ticket is refused when any member is revoked, not only its leader. */
  refuses(ticket: { readonly sub: string; readonly issuedAt: number; readonly party: readonly { readonly sub: string }[] | undefined }): boolean {
    if (this.isRevoked(ticket.sub, ticket.issuedAt)) return true;
    return ticket.party !== undefined && ticket.party.some((m) => this.isRevoked(m.sub, ticket.issuedAt));
  }

  /** Forgets entries older than any ticket still alive (`maxLifetimeMs` covers every one). */
  prune(now: number, maxLifetimeMs: number): void {
    for (const [sub, notBefore] of this.#notBefore) if (notBefore + maxLifetimeMs < now) this.#notBefore.delete(sub);
  }

  get size(): number {
    return this.#notBefore.size;
  }
}
