// The image's HEALTHCHECK: healthy when this container's service answers GET /readyz with 200.
// It tries the ports the service may listen on (its variables, then the defaults) on loopback.
const ports = [process.env.ISSUER_PORT, process.env.MATCHMAKER_PORT, process.env.PORT, '8700', '8701'].filter(
  (port, i, all) => port !== undefined && port !== '' && all.indexOf(port) === i,
);
for (const port of ports) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    if (res.status === 200) process.exit(0);
  } catch {
    // Nothing on that port: try the next.
  }
}
process.exit(1);
