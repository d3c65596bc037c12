export { ControlClient } from './control-client.ts'
export type { Fetch } from './control-client.ts'
export { ControlError } from './errors.ts'
export { AUTHORIZED_METHODS, DROP_POINTS, MIGRATE_ERRORS } from './protocol.ts'
export type {
  BindingMode,
  ControlRefusal,
  DropPoint,
  FaultAction,
  FaultState,
  InnerForm,
  KeyView,
  MigrateError,
  MigrateRule,
  ServerInfo,
  ServerStats,
  TempKeyBytes,
} from './protocol.ts'
