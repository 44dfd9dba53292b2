import { config as loadDotenv } from 'dotenv';

// Imported first by main.ts: entity decorators read DATABASE_URL when their modules load.
loadDotenv({ quiet: true });
