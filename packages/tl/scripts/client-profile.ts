/**
 * What the client side never does with a constructor, so the client's codecs (codecs-client.ts)
 * leave it out and the worker ships less: it never decodes what only a client sends (its
 * requests and their inner data), and never encodes what only a server sends (answers,
 * notices, results). Every worker test runs on these codecs, so a wrong entry fails there.
 */
export const CLIENT_NEVER_DECODES: ReadonlySet<string> = new Set([
  'req_pq_multi', 'req_pq', 'req_DH_params', 'set_client_DH_params',
  'p_q_inner_data', 'p_q_inner_data_dc', 'p_q_inner_data_temp', 'p_q_inner_data_temp_dc',
  'client_DH_inner_data', 'bind_auth_key_inner',
  'rpc_drop_answer', 'get_future_salts', 'ping', 'ping_delay_disconnect', 'destroy_session', 'http_wait', 'destroy_auth_key',
  'invokeAfterMsg', 'invokeAfterMsgs', 'initConnection', 'invokeWithLayer', 'invokeWithoutUpdates',
  'auth.bindTempAuthKey', 'auth.dropTempAuthKeys', 'auth.exportAuthorization', 'auth.importAuthorization', 'auth.logOut',
  'help.getConfig', 'help.getNearestDc', 'updates.getState', 'upload.saveFilePart', 'upload.saveBigFilePart', 'upload.getFile',
  'inputClientProxy', 'jsonObjectValue', 'jsonNull', 'jsonBool', 'jsonNumber', 'jsonString', 'jsonArray', 'jsonObject',
  'inputDocumentFileLocation', 'inputFile', 'inputFileBig', 'userEmpty',
  'storage.fileUnknown', 'storage.filePartial', 'storage.fileJpeg', 'storage.fileGif', 'storage.filePng', 'storage.filePdf',
  'storage.fileMp3', 'storage.fileMov', 'storage.fileMp4', 'storage.fileWebp', 'fileHash', 'upload.file', 'upload.fileCdnRedirect',
  // help.getConfig's view reads config's leading fields by hand (worker/src/config-view.ts):
  // its fifty others, and the types only they hold, are the page's to decode
  'config', 'dcOption', 'reactionEmpty', 'reactionEmoji', 'reactionCustomEmoji', 'reactionPaid',
])

/**
 * API results the engine hands to the page as bytes. Inside an rpc_result they stay TlRaw, so
 * a call's answer is neither decoded nor encoded again on its way through; the engine decodes
 * one at the top level only where it reads it (help.getConfig, help.getNearestDc views).
 */
export const CLIENT_KEEPS_RAW: ReadonlySet<string> = new Set([
  'config', 'nearestDc', 'auth.exportedAuthorization', 'auth.loggedOut', 'upload.file', 'upload.fileCdnRedirect', 'updates.state', 'auth.authorization',
])

/**
 * What only a server sends: MTProto's own server messages, and the API results above with the
 * types only they hold. Updates stay encodable: the engine hands a decoded update on as bytes.
 */
export const CLIENT_NEVER_ENCODES: ReadonlySet<string> = new Set([
  'resPQ', 'server_DH_params_ok', 'server_DH_params_fail', 'server_DH_inner_data', 'dh_gen_ok', 'dh_gen_retry', 'dh_gen_fail',
  'rpc_result', 'rpc_error', 'rpc_answer_unknown', 'rpc_answer_dropped_running', 'rpc_answer_dropped',
  'future_salt', 'future_salts', 'pong', 'destroy_session_ok', 'destroy_session_none',
  'destroy_auth_key_ok', 'destroy_auth_key_none', 'destroy_auth_key_fail',
  'new_session_created', 'bad_msg_notification', 'bad_server_salt',
  'msgs_state_info', 'msgs_all_info', 'msg_detailed_info', 'msg_new_detailed_info',
  ...CLIENT_KEEPS_RAW,
  'dcOption', 'reactionEmpty', 'reactionEmoji', 'reactionCustomEmoji', 'reactionPaid',
  'storage.fileUnknown', 'storage.filePartial', 'storage.fileJpeg', 'storage.fileGif', 'storage.filePng', 'storage.filePdf',
  'storage.fileMp3', 'storage.fileMov', 'storage.fileMp4', 'storage.fileWebp', 'fileHash',
  // what a client may send but this engine never builds: legacy handshake forms, requests and
  // wrappers it does not use, initConnection's proxy and params
  'p_q_inner_data', 'p_q_inner_data_temp', 'req_pq', 'rpc_drop_answer', 'destroy_session', 'http_wait', 'destroy_auth_key',
  'invokeAfterMsg', 'invokeAfterMsgs', 'invokeWithoutUpdates', 'msg_copy', 'msg_resend_req', 'msgs_state_req',
  'auth.dropTempAuthKeys', 'updates.getState',
  'upload.saveBigFilePart', 'inputFile', 'inputFileBig',
  'inputClientProxy', 'jsonObjectValue', 'jsonNull', 'jsonBool', 'jsonNumber', 'jsonString', 'jsonArray', 'jsonObject',
])
