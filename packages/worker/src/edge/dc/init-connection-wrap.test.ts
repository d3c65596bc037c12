import { deserializeObject, serializeObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { wrapInInitConnection } from './init-connection-wrap.ts'

describe('wrapInInitConnection', () => {
  it('pfs §1.5: invokeWithLayer(layer, initConnection(app…, the query itself))', () => {
    const query = serializeObject({ _: 'help.getConfig' })
    const app = { apiId: 7, deviceModel: 'd', systemVersion: 's', appVersion: '1.0', systemLangCode: 'en', langPack: 'web', langCode: 'de' }
    const wrapped = deserializeObject(wrapInInitConnection(app, 227, query))
    expect(wrapped).toMatchObject({
      _: 'invokeWithLayer',
      layer: 227,
      query: { _: 'initConnection', api_id: 7, device_model: 'd', system_version: 's', app_version: '1.0', system_lang_code: 'en', lang_pack: 'web', lang_code: 'de', query: { _: 'help.getConfig' } },
    })
  })
})
