import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from './src/config/database.config.js';
import { EnvReader } from './src/config/env-reader.js';
import { dataSourceOptions } from './src/database/data-source-options.js';

// The TypeORM CLI's entry: the same options as the app, from the same DATABASE_URL.
const read = new EnvReader(process.env);
const database = new DatabaseConfig(read);
read.assertValid();
export default new DataSource(dataSourceOptions(database.url));
