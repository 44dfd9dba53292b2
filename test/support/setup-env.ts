// Tests never read a developer's .env, never write into ./data and log only errors.
process.env.LOG_LEVEL ??= 'error';
process.env.NODE_ENV = 'test';
