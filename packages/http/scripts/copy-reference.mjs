// Copies the API reference page's browser bundle (@scalar/api-reference, a devDependency) into
// assets/, which ships: the package itself would bring ~190 MB of build tooling (vite, tsx, vue)
// into production installs to serve one 4.7 MB file.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
const target = join(import.meta.dirname, '..', 'assets', 'docs');
mkdirSync(target, { recursive: true });
copyFileSync(join(dirname(entry), 'browser', 'standalone.js'), join(target, 'reference.js'));
