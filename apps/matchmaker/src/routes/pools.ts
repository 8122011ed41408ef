// GET /v1/pools and GET /v1/keys: what this matchmaker serves and how to check its matches.
import { Hono } from 'hono';
import { publicKeySet, type KeyRing } from '@ticketbooth/tickets';
import type { Matchmaker } from '../matchmaker.ts';

export function poolRoutes(mm: Matchmaker, matchKeys: KeyRing): Hono {
  return new Hono()
    .get('/v1/pools', (c) => c.json({ warmingUp: mm.isWarmingUp(), pools: mm.pools() }))
    .get('/v1/keys', (c) => {
      c.header('cache-control', 'public, max-age=60');
      return c.json(publicKeySet(matchKeys));
    });
}
