export { CryptoError, SecurityError } from './errors.ts'
