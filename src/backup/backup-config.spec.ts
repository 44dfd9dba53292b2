import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.schema';

const base = { NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: 'a'.repeat(64), DATABASE_URL: 'sqlite::memory:', DATA_DIR: '/tmp' };

describe('BACKUP_DIR and BACKUP_KEEP', () => {
  it('are off and 7 by default', () => {
    expect(loadConfig(base).backup).toEqual({ dir: undefined, keep: 7 });
  });

  it('resolve the folder and read the count', () => {
    expect(loadConfig({ ...base, BACKUP_DIR: 'backups', BACKUP_KEEP: '30' }).backup).toEqual({ dir: resolve('backups'), keep: 30 });
  });

  it('refuse a count that is not a whole number from 1 to 1000, in one line naming the variable', () => {
    expect(() => loadConfig({ ...base, BACKUP_KEEP: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, BACKUP_KEEP: 'all' })).toThrow('BACKUP_KEEP must be a whole number from 1 to 1000 (got "all")');
  });
});
