export * from './preflight';
export * from './migrate';
export * from './data-source-options';
export * from './database.module';
export * from './returned-rows';
export * from './group-commit';
