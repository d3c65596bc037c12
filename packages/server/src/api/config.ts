import type { TlObject } from '@pfs-web/tl'

export interface DcAddress {
  id: number
  host: string
  port: number
}

/**
 * A minimal valid config#cc1a241e (mtproto-tl.md §5: flags = 0, every non-optional field);
 * the same constructor serves every layer clients send (198..228).
 */
export function buildConfig(now: number, thisDc: number, test: boolean, dcs: DcAddress[]): TlObject {
  return {
    _: 'config',
    date: Math.floor(now),
    expires: Math.floor(now) + 3600,
    test_mode: test,
    this_dc: thisDc,
    dc_options: dcs.map((d) => ({ _: 'dcOption', id: d.id, ip_address: d.host, port: d.port })),
    dc_txt_domain_name: 'localhost',
    chat_size_max: 200,
    megagroup_size_max: 200000,
    forwarded_count_max: 100,
    online_update_period_ms: 210000,
    offline_blur_timeout_ms: 5000,
    offline_idle_timeout_ms: 30000,
    online_cloud_timeout_ms: 300000,
    notify_cloud_delay_ms: 30000,
    notify_default_delay_ms: 1500,
    push_chat_period_ms: 60000,
    push_chat_limit: 2,
    edit_time_limit: 172800,
    revoke_time_limit: 2147483647,
    revoke_pm_time_limit: 2147483647,
    rating_e_decay: 2419200,
    stickers_recent_limit: 200,
    channels_read_media_period: 604800,
    call_receive_timeout_ms: 20000,
    call_ring_timeout_ms: 90000,
    call_connect_timeout_ms: 30000,
    call_packet_timeout_ms: 10000,
    me_url_prefix: 'https://t.me/',
    caption_length_max: 1024,
    message_length_max: 4096,
    webfile_dc_id: 4,
  }
}
