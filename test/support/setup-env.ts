// Tests never read a developer's .env, never write into ./data and log only errors.
process.env.LOG_LEVEL ??= 'error';
process.env.NODE_ENV = 'test';
// scrypt at OWASP's N=2^17 costs ~0.5 s per hash on a busy CI core; the suite hashes hundreds (see password-hasher.ts)
process.env.DEVHUB_TEST_SCRYPT_N ??= String(2 ** 14);
