/**
 * The simulated server's RSA key, fixed so that a seed replays across processes: RSA_PAD
 * redraws its padding while the result is not below the modulus, so a different key
 * would shift every later random draw. A test key for loopback only, made with
 * `openssl genrsa 2048`; it protects nothing.
 */
export const SIM_SERVER_RSA_PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEApj9SCs+27mz3jI7T3E2SBiT1AOJg6iILP80bM2kK1IilsmEe',
  'BsP2t/9kE58nfaW6dcwLKy+KkHDCA+TTbqffRaSI2+AVQneEySBzgCnwTS/oj7sU',
  '+0yvIopN1br/zf7h1856EL3oXx1hWPOf2y23flYt/jUAgOjLGErqBR4sT3eGmcJX',
  '0uCx1ex1qPA6R1Df5JvhKgssRS4Bd5ndRAzJT4YmN8ygJlN0Wa7l94iX1f9JLmbU',
  'lh9ePDsWsNGyMYdPYbiRWozL8E/m+5GlB1bctws5BJZlmQ5RJWNRE1j18Z8GB0dI',
  'veZFZuA5Kdb4C0udolJkKq9UjmXBTDjWmZwwcQIDAQABAoIBABKKvm5JQ4htK+EH',
  '7xZDqpU32wGpvhBvEp0flbiSrywMP5rZHR25DpPwDqvnlOJ9MQJBaz96UnSQtvrz',
  'MyfE3nCojMElSYm7xdoe3fL9+njJbqFVRt5Oa7wo+8xqSmyh0HOe6ltiqv+sybY/',
  'meU6wJv9Ja0UIUW/cSN4+4ftmRiVuGwW2qKoiFrj46XYSEoDfpBn9ycbcVDuGrqv',
  'g0Ot9QlfVd9mxxPnb5K2t1FJ0f/eirnrrl9/n/OOKRINEuwz/POK2abQyM1OYxWs',
  '9h4xHeRw8SDONeKF/lJzybVpZ1K5yUyklNFj4PH4T+MvFHP03kCQAtkZj64gj0zw',
  'VZoDiwcCgYEA5YYRKrgy1SGdvVDOGA/TAoqbmDYMJpczvxCijS2ITEgdoqxq1bgn',
  'TkV9sofXDa+iy7DHOIc+h14OZJx67k4s6gHX1RGf8KSNFg+4yQVA69E3DVX8v92K',
  'jfwb4JJI3hgq+dlt3z6+afqp0AWCusTG2EOoCIDNbkvxyskZuZfpol8CgYEAuWys',
  '9y+d8ZkjgB/RpXRr7iGLCzAKJQeRqGnvPeeCTzUZojdbVGoOiaTPJzaQ+cvX1mpL',
  'SBoV75H6c2qB/ACroFEoXjma3SYjx+aTFV7M98KeemMqnjq44UhpG73gUE1FL5/w',
  'ypBPXmVtNYStoWwWRDCwTC35ekKDvkhvmDR+Py8CgYEA4HPX69fP1f8Wu6D+uicX',
  'ab/UYuhPv5lTgEArRjZFuJs5Z/CGVVPOFEv+nQ0cMAUXBWxtlgkkC8rd9mPUD6Eh',
  'aQG+aF3g87pnQjDDuslJcJLa7E6vaY2jxi/JrzY+zfoCZOzM9mjsWsVHNOd+rVhr',
  'P+gBtbcHrhnUbUN1xboaPq8CgYBIC6nJAX9k+BOLHNHgb7Pf+riDyE6oxKAbx81l',
  'SCahkAg9tzSNQAgWAytaGSGLbWCXtwU5JqmPRDED10ZaHAiTafU9ZzR86OzOJxDP',
  'JN6PBdd9xjow8LAVGIV+efBGQz+2mXZ9vkSYcOBWAw9TwSOFq0VU1CgzENUPgiWa',
  'BgtnkQKBgGB/kl/0rXtC1Y48inneqh6GW/n9sp+IoG4c6L/LfGVx8f4XmWQiIW3B',
  'w12D7auAbmCI7ncBEE8/g/v4uDR1d2H6kuVspC9pflqc4t6uleL5zta1Kfat0TF5',
  'cgSUHK+UZ2uvK9JteWtyq1YREo8d1Ge+/ln/uEXJ6zygBmvBS3bj',
  '-----END RSA PRIVATE KEY-----',
].join('\n')
