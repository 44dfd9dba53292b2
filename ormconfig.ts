import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/database/data-source-options';

loadDotenv({ quiet: true });

/** Used by `npm run migration:run | migration:revert | migration:generate` (TypeORM CLI). */
export default new DataSource(buildDataSourceOptions(process.env.DATABASE_URL || 'sqlite:./data/devhub.db'));
