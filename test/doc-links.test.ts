// Every relative link in the repository's Markdown resolves to a file in the repository.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '@ticketbooth/tools';
import { describe, expect, it } from 'vitest';

const markdown = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: REPO_ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((path) => path !== '' && existsSync(join(REPO_ROOT, path)));

/** [text](target) outside code spans and fenced blocks. */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe('documentation links', () => {
  it('finds the docs', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/configuration.md']));
  });

  it.each(markdown)('%s links only to files that exist', (path) => {
    const broken = links(readFileSync(join(REPO_ROOT, path), 'utf8'))
      .filter((target) => !/^(?:https?:|mailto:|#)/.test(target))
      .map((target) => decodeURIComponent(target.split('#')[0]!))
      .filter((target) => !existsSync(join(dirname(join(REPO_ROOT, path)), target)));
    expect(broken).toEqual([]);
  });

  it('README.md links only inside the repository', () => {
    const outside = links(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).filter((target) => /^[a-z]+:/.test(target));
    expect(outside).toEqual([]);
    // And to no file outside it by a relative path.
    const escaping = links(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).filter((t) => relative(REPO_ROOT, join(REPO_ROOT, t)).startsWith('..'));
    expect(escaping).toEqual([]);
  });
});
