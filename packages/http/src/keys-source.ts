// Where verification keys come from: a service's published GET /v1/keys (the issuer's for
// tickets, a matchmaker's for match tokens), or a key file.
import { readFileSync } from 'node:fs';
import { KeyRing, keyFileSchema, keyRingFromFile, publicKeySetSchema, type PublicKeySet } from '@ticketbooth/tickets';

export interface KeysSource {
  /** The ring the ticket verifier reads; replaced in place on refresh. */
  readonly ring: KeyRing;
  /** True once any key was loaded: readiness. */
  hasKeys(): boolean;
  /**
   * Loads the keys again because a ticket named an unknown kid. Rate-limited
   * and shared between concurrent callers; resolves true if the ring changed.
   */
  refetchForUnknownKid(): Promise<boolean>;
  /** Loads now and then every `refreshMs`; failures keep the keys already known. */
  start(): Promise<void>;
  stop(): void;
}

export interface KeysSourceOptions {
  readonly refreshMs: number;
  /** What the keys verify, for the log ("ticket keys"). */
  readonly what?: string;
  /** Least time between two unknown-kid refetches. Default 10 s. */
  readonly minRefetchMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
}

/** Keys fetched from `<serviceUrl>/v1/keys`. */
export function publishedKeys(serviceUrl: string, options: KeysSourceOptions & { timeoutMs?: number }): KeysSource {
  const url = new URL('/v1/keys', serviceUrl).href;
  const timeoutMs = options.timeoutMs ?? 2_000;
  return refreshingSource(async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return publicKeySetSchema.parse(await response.json());
  }, options);
}

/** Keys read from a file: a published key set, or a key file whose secrets are ignored. */
export function fileKeys(path: string, options: KeysSourceOptions): KeysSource {
  return refreshingSource(async () => readPublicKeys(path), options);
}

export function readPublicKeys(path: string): PublicKeySet {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const asKeyFile = keyFileSchema.safeParse(json);
  // Only public halves are kept, even if the file holds the signer's secrets.
  if (asKeyFile.success) return { keys: asKeyFile.data.keys.map(({ secret: _secret, ...key }) => key) };
  return publicKeySetSchema.parse(json);
}

function refreshingSource(load: () => Promise<PublicKeySet>, options: KeysSourceOptions): KeysSource {
  const ring = new KeyRing();
  const now = options.now ?? Date.now;
  const minRefetchMs = options.minRefetchMs ?? 10_000;
  const log = options.log ?? ((message: string) => console.warn(message));
  let loaded = false;
  let lastRefetch = -Infinity;
  let inFlight: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<boolean> {
    try {
      const set = await load();
      const keys = keyRingFromFile(set).list();
      if (keys.length === 0) throw new Error('the key set is empty');
      const before = ring.list().map((k) => `${k.kid}:${k.notBefore}:${k.notAfter}`).join();
      ring.replace(keys);
      loaded = true;
      return ring.list().map((k) => `${k.kid}:${k.notBefore}:${k.notAfter}`).join() !== before;
    } catch (error) {
      log(`${options.what ?? 'keys'} not refreshed, keeping ${ring.list().length} known: ${(error as Error).message}`);
      return false;
    }
  }

  function shared(): Promise<boolean> {
    inFlight ??= refresh().finally(() => (inFlight = undefined));
    return inFlight;
  }

  return {
    ring,
    hasKeys: () => loaded,
    refetchForUnknownKid() {
      if (inFlight) return inFlight;
      if (now() - lastRefetch < minRefetchMs) return Promise.resolve(false);
      lastRefetch = now();
      return shared();
    },
    async start() {
      await shared();
      timer = setInterval(() => void shared(), options.refreshMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
