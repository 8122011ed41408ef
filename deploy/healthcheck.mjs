// The image's HEALTHCHECK: healthy when this container's service answers GET /readyz with 200.
// The container may run either service, so it asks each one's port (its variable, else PORT,
// else its default) on loopback.
const env = (name) => (process.env[name] === undefined || process.env[name] === '' ? undefined : process.env[name]);
const ports = [...new Set([env('ISSUER_PORT') ?? env('PORT') ?? '8700', env('MATCHMAKER_PORT') ?? env('PORT') ?? '8701'])];
for (const port of ports) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    if (res.status === 200) process.exit(0);
  } catch {
    // Nothing on that port: try the next.
  }
}
process.exit(1);
