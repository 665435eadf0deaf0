module.exports = {
  root: true,
  parser: '@typescript-eslint/parser',
  parserOptions: { project: './tsconfig.json', tsconfigRootDir: __dirname, sourceType: 'module' },
  plugins: ['@typescript-eslint'],
  extends: ['eslint:recommended', 'plugin:@typescript-eslint/recommended'],
  env: { node: true, jest: true },
  ignorePatterns: ['dist', 'node_modules', '*.js'],
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/switch-exhaustiveness-check': 'error',
    '@typescript-eslint/no-explicit-any': 'error',
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    'no-console': 'error',
  },
  overrides: [
    { files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
    // The console is a browser app with its own tsconfig (DOM, JSX, bundler resolution).
    {
      files: ['apps/console/**/*.ts', 'apps/console/**/*.tsx'],
      parserOptions: { project: './apps/console/tsconfig.json', tsconfigRootDir: __dirname },
      env: { browser: true, node: false },
    },
  ],
};
