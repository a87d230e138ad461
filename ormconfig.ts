import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options.js';

// The TypeORM CLI's entry: the same options as the app, from the same DATABASE_URL.
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL || 'sqlite:data/app.db'));
