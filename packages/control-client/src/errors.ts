import { PfsError } from '@pfs-web/errors'

/**
 * A control-port request that did not succeed. The server throws it for a bad request and
 * answers with its `code` ('BAD_FAULT', 'BAD_JSON', 'BODY_TOO_LARGE', 'NOT_FOUND', …);
 * ControlClient rebuilds it from that answer, so both sides branch on the same codes.
 * Client-side codes: 'UNREACHABLE' (fetch failed), 'BAD_RESPONSE' (an answer that is not
 * the control port's JSON), or the HTTP status when a refusal carries no code.
 */
export class ControlError extends PfsError {}
