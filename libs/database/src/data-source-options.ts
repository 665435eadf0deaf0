import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** TypeORM is used for pooling, transactions and migrations; the schema is owned by migrations only. */
export function dataSourceOptions(databaseUrl: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    entities: [],
    extra: { max: poolSize },
    logging: false,
  };
}
