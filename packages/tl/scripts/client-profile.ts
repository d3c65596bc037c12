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
  'help.getConfig', 'help.getNearestDc', 'updates.getState', 'upload.saveFilePart', 'upload.getFile',
  'inputClientProxy', 'jsonObjectValue', 'jsonNull', 'jsonBool', 'jsonNumber', 'jsonString', 'jsonArray', 'jsonObject',
  'inputDocumentFileLocation',
])

/**
 * Only MTProto's own server messages: an API result or update the client decodes is encoded
 * again to hand its bytes to the page, so every API type stays encodable.
 */
export const CLIENT_NEVER_ENCODES: ReadonlySet<string> = new Set([
  'resPQ', 'server_DH_params_ok', 'server_DH_params_fail', 'server_DH_inner_data', 'dh_gen_ok', 'dh_gen_retry', 'dh_gen_fail',
  'rpc_result', 'rpc_error', 'new_session_created', 'bad_msg_notification', 'bad_server_salt',
  'msgs_all_info', 'msg_detailed_info', 'msg_new_detailed_info',
])
