export { hashPassword, passwordMatches } from '@app/platform';
