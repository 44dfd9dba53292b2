// Jest globalSetup of the `cli` project: the tests run the BUILT command, so build it first,
// unless cli/dist is newer than every source it is made from (the app's API and the CLI itself).
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const built = join(root, 'cli', 'dist', 'devhub.js');

function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'generated' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

module.exports = async () => {
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'cli', 'src')), newest(join(root, 'cli', 'scripts')), statSync(join(root, 'cli', 'package.json')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs > sources) return;
  execSync('npm run build:cli', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
};
