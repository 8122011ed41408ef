// A game server reporting how a match it hosted ended (docs/game-servers.md, "Reporting a
// result"). Usage: node examples/report-result.mjs <match token> <rank of team 1> <rank of team 2> ...
// ISSUER_URL defaults to http://127.0.0.1:8700; GAME_SERVER_CREDENTIAL is what
// `cli game-servers add <name>` (or POST /v1/admin/game-servers) printed; ASSIGNMENT_TOKEN the
// match's assignment, needed when its mode has an accept step.
const issuerUrl = process.env.ISSUER_URL ?? 'http://127.0.0.1:8700';
const credential = process.env.GAME_SERVER_CREDENTIAL;
const [match, ...ranks] = process.argv.slice(2);
if (!match || ranks.length < 2 || !credential) throw new Error('usage: GAME_SERVER_CREDENTIAL=... node examples/report-result.mjs <match token> <rank> <rank> ...');

/**
 * Reports once; safe to send again (a lost answer, a restart): the same outcome answers the
 * first result, and only a different one is refused (409). Returns the result as recorded.
 */
async function reportResult(matchToken, teamRanks, { assignment, scores } = {}) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${issuerUrl}/v1/results`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ match: matchToken, ranks: teamRanks, ...(assignment ? { assignment } : {}), ...(scores ? { scores } : {}) }),
      signal: AbortSignal.timeout(5_000),
    }).catch((error) => ({ ok: false, status: 0, error }));
    if (response.ok) return response.json();
    // 5xx, 429 and no answer pass; anything else is this report's fault: do not resend it.
    const passes = response.status === 0 || response.status === 429 || response.status >= 500;
    if (!passes || attempt === 5) {
      const problem = response.status === 0 ? { code: 'network' } : await response.json();
      throw new Error(`result refused (${response.status} ${problem.code}): ${problem.detail ?? problem.title ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

const recorded = await reportResult(match, ranks.map(Number), { assignment: process.env.ASSIGNMENT_TOKEN });
console.log(`result of match ${recorded.match} (${recorded.mode}) recorded at ${recorded.reportedAt}: ranks ${recorded.ranks.join(', ')}`);
