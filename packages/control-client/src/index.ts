export { ControlClient } from './control-client.ts'
export type { Fetch } from './control-client.ts'
export { ControlError } from './errors.ts'
export { DROP_POINTS } from './protocol.ts'
export type {
  BindingMode,
  ControlRefusal,
  DropPoint,
  FaultAction,
  FaultState,
  InnerForm,
  KeyView,
  ServerInfo,
  ServerStats,
  TempKeyBytes,
} from './protocol.ts'
