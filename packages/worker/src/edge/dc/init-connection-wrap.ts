/**
 * invokeWithLayer(layer, initConnection(app…, query)): how the first API query on a bound
 * key (and after each reconnect) tells the server the client's layer and app (pfs §1.5,
 * api/invoking); session/init-connection decides when.
 */
import { serializeObject } from '@pfs-web/tl/client'
import type { AppInfo } from '../../api.ts'
import { rawOf } from './lane.ts'

export function wrapInInitConnection(app: AppInfo, layer: number, query: Uint8Array): Uint8Array {
  return serializeObject({
    _: 'invokeWithLayer',
    layer,
    query: {
      _: 'initConnection',
      api_id: app.apiId,
      device_model: app.deviceModel,
      system_version: app.systemVersion,
      app_version: app.appVersion,
      system_lang_code: app.systemLangCode,
      lang_pack: app.langPack,
      lang_code: app.langCode,
      query: rawOf(query),
    },
  })
}
