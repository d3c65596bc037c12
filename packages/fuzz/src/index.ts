export { runFuzz, EPOCH_CASES } from './runner.ts'
export type { FamilyStats, FuzzFailure, FuzzOptions, FuzzReport } from './runner.ts'
export { FAMILIES, SHORT_RUN_WEIGHTS } from './mutations/families.ts'
