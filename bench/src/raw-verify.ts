// Child process (on the server core): raw Ed25519 crypto.verify ops/s over a ticket-sized message.
import { generateKeyPairSync, sign, verify } from 'node:crypto';

const ms = Number(process.argv[2] ?? 1_000);
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const message = Buffer.alloc(600, 7);
const signature = sign(null, message, privateKey);
let ops = 0;
const started = performance.now();
while (performance.now() - started < ms) {
  for (let i = 0; i < 32; i++) if (!verify(null, message, publicKey, signature)) throw new Error('signature did not verify');
  ops += 32;
}
console.log(JSON.stringify({ opsPerSecond: ops / ((performance.now() - started) / 1000) }));
