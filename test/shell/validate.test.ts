import { describe, expect, it } from 'vitest'
import { CairnError } from '../../core/api/errors'
import { API_METHODS, BACKUP_MAX, TEXT_MAX_BYTES, validateArgs } from '../../core/api/validate'

function rejection(method: string, args: unknown): CairnError {
  try {
    validateArgs(method, args)
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).code).toBe('invalid-argument')
    return err as CairnError
  }
  throw new Error(`${method}(${JSON.stringify(args)}) was accepted`)
}

describe('validateArgs', () => {
  it('covers every method of the API exactly once', () => {
    expect(new Set(API_METHODS).size).toBe(API_METHODS.length)
    expect(API_METHODS).toContain('send')
    expect(API_METHODS).toContain('exportIdentity')
    expect(API_METHODS).toContain('restore')
    expect(API_METHODS).toContain('linkHomeNode')
    expect(API_METHODS).toContain('sendMedia')
    expect(API_METHODS).toContain('react')
    expect(API_METHODS).toContain('edit')
    expect(API_METHODS).toContain('search')
    expect(API_METHODS).toContain('sendFile')
    expect(API_METHODS).toContain('deleteForEveryone')
    expect(API_METHODS).toContain('setDisappearing')
    expect(API_METHODS).toContain('forwardFile')
    expect(API_METHODS).toContain('replayMessages')
    expect(API_METHODS).toContain('verifyFile')
    expect(API_METHODS).toHaveLength(68)
  })

  it('takes only the disappearing-message choices', () => {
    const id = 'x'.repeat(20)
    expect(() => validateArgs('setDisappearing', [id, 86_400])).not.toThrow()
    expect(() => validateArgs('setDisappearing', [id, 0])).not.toThrow()
    for (const bad of [1, -300, 86_401, 1e12, '300', null, Number.NaN]) {
      expect(() => validateArgs('setDisappearing', [id, bad]), String(bad)).toThrow(/seconds/)
    }
  })

  it('checks call ids and media frames', () => {
    const id = 'ab'.repeat(16)
    const frame = { stream: 'audio', keyframe: true, seq: 1, timestampUs: 20_000, data: 'AAEC' }
    expect(validateArgs('sendMedia', [id, frame]).args).toEqual([id, frame])
    expect(() => validateArgs('hangup', ['AB'.repeat(16)])).toThrow(/hex/)
    expect(() => validateArgs('sendMedia', [id, { ...frame, stream: 'screen' }])).toThrow(/one of/)
    expect(() => validateArgs('sendMedia', [id, { ...frame, data: 'a b' }])).toThrow(/base64/)
    expect(() => validateArgs('sendMedia', [id, { ...frame, seq: -1 }])).toThrow(/non-negative/)
    expect(() => validateArgs('sendMedia', [id, { ...frame, extra: 1 }])).toThrow(/unknown field/)
    const { data: _omitted, ...noData } = frame
    expect(() => validateArgs('sendMedia', [id, noData])).toThrow(/missing/)
    expect(() => validateArgs('startCall', ['id', 'yes'])).toThrow(/true or false/)
  })

  it('bounds file calls: upload pieces, read lengths, sizes and names', () => {
    expect(validateArgs('readFile', ['id', 'm-1', 0, 256 * 1024]).method).toBe('readFile')
    expect(rejection('readFile', ['id', 'm-1', 0, 256 * 1024 + 1]).message).toMatch(/length must be between 0 and 262144/)
    expect(rejection('readFile', ['id', 'm-1', -1, 1]).message).toMatch(/start must be between/)
    expect(rejection('uploadPiece', ['u', '%%%']).message).toMatch(/piece must be base64/)
    expect(rejection('uploadPiece', ['u', 'A'.repeat(349_532)]).message).toMatch(/piece must be at most/)
    expect(rejection('beginUpload', [1.5]).message).toMatch(/size must be a whole number/)
    expect(rejection('sendUpload', ['id', 'u', 'n'.repeat(256)]).message).toMatch(/name must be at most 255/)
    expect(validateArgs('sendFile', ['id', '/tmp/a.jpg']).args).toEqual(['id', '/tmp/a.jpg'])
  })

  it('checks client ids and replay positions; a null optional argument before a given one is absent', () => {
    expect(validateArgs('send', ['id', 'hi', null, 'job-42:try']).args).toEqual(['id', 'hi', undefined, 'job-42:try'])
    expect(validateArgs('send', ['id', 'hi', 'm-1', '~'.repeat(64)]).args).toHaveLength(4)
    expect(rejection('send', ['id', 'hi', null, 'has space']).message).toMatch(/clientId must be 1 to 64 printable ASCII/)
    expect(rejection('send', ['id', 'hi', null, '']).message).toMatch(/clientId/)
    expect(rejection('send', ['id', 'hi', null, 'x'.repeat(65)]).message).toMatch(/clientId/)
    expect(rejection('send', ['id', 'hi', null, 'é']).message).toMatch(/clientId/)
    expect(rejection('send', ['id', null]).message).toMatch(/text must be a string, got null/)
    expect(validateArgs('replayMessages', [0]).args).toEqual([0])
    expect(validateArgs('replayMessages', [12, 500]).args).toEqual([12, 500])
    expect(rejection('replayMessages', [-1]).message).toMatch(/non-negative/)
    expect(rejection('replayMessages', [1.5]).message).toMatch(/whole number/)
    expect(rejection('replayMessages', [0, 501]).message).toMatch(/between 1 and 500/)
  })

  it('accepts well-formed calls and returns a copy of the arguments', () => {
    const args = ['alice', 'correct horse']
    const out = validateArgs('create', args)
    expect(out).toEqual({ method: 'create', args })
    expect(out.args).not.toBe(args)
    expect(validateArgs('history', ['id', { limit: 500, before: 'c' }]).args).toHaveLength(2)
    expect(validateArgs('history', ['id']).args).toEqual(['id'])
    expect(validateArgs('history', ['id', undefined]).args).toEqual(['id', undefined])
    expect(validateArgs('acceptRequest', ['id']).method).toBe('acceptRequest')
    expect(validateArgs('updateSettings', [{ lanDiscovery: false }]).method).toBe('updateSettings')
    expect(validateArgs('state', []).args).toEqual([])
  })

  it('refuses unknown and inherited method names', () => {
    for (const m of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      expect(rejection(m, []).message).toMatch(/unknown method/)
    }
  })

  it('enforces exact arity', () => {
    expect(rejection('state', [1]).message).toMatch(/takes 0 argument/)
    expect(rejection('send', ['id']).message).toMatch(/takes 2 to 4 argument/)
    expect(rejection('send', ['id', 'hi', '']).message).toMatch(/replyTo/)
    expect(rejection('history', ['id', {}, 3]).message).toMatch(/takes 1 to 2/)
    expect(rejection('send', { 0: 'a', 1: 'b', length: 2 }).message).toMatch(/must be an array/)
    expect(rejection('send', ['id', undefined]).message).toMatch(/text is missing/)
  })

  it('checks types and names the argument at fault', () => {
    expect(rejection('send', [42, 'hi']).message).toBe('send: contact must be a string, got number')
    expect(rejection('setVerified', ['id', 'yes']).message).toMatch(/verified must be true or false/)
    expect(rejection('setTyping', ['id', null]).message).toMatch(/typing must be true or false, got null/)
    expect(rejection('history', ['id', []]).message).toMatch(/query must be an object, got an array/)
    expect(rejection('history', ['id', { limit: 0 }]).message).toMatch(/query.limit must be between 1 and 500/)
    expect(rejection('history', ['id', { limit: 501 }]).message).toMatch(/between 1 and 500/)
    expect(rejection('history', ['id', { limit: 2.5 }]).message).toMatch(/must be an integer/)
    expect(rejection('history', ['id', { evil: 1 }]).message).toMatch(/unknown field "evil"/)
    expect(rejection('restore', ['b', 'bp', 'name']).message).toMatch(/takes 4 argument/)
    expect(rejection('restore', ['', 'bp', 'name', 'p']).message).toBe('restore: backup must not be empty')
    expect(rejection('restore', ['x'.repeat(BACKUP_MAX + 1), 'bp', 'name', 'p']).message).toMatch(/backup must be at most/)
    expect(rejection('restore', ['b', 'bp', ' ', 'p']).message).toBe('restore: name must not be blank')
    expect(rejection('updateSettings', [{ name: 'x', admin: true }]).message).toMatch(/unknown field "admin"/)
    expect(rejection('updateSettings', [new Date()]).message).toMatch(/must be an object/)
    expect(rejection('updateSettings', [JSON.parse('{"__proto__": {"x": 1}}')]).message).toMatch(/unknown field "__proto__"/)
  })

  it('caps lengths: names, text, passphrases, ids', () => {
    expect(validateArgs('setName', ['n'.repeat(64)]).method).toBe('setName')
    expect(rejection('setName', ['n'.repeat(65)]).message).toMatch(/name must be at most 64/)
    expect(rejection('setName', ['']).message).toMatch(/must not be empty/)
    expect(rejection('setName', ['   ']).message).toMatch(/must not be blank/)
    expect(rejection('addContact', ['x'.repeat(129), 'bob']).message).toMatch(/id must be at most 128/)
    expect(validateArgs('unlock', ['p'.repeat(1024)]).method).toBe('unlock')
    expect(rejection('unlock', ['p'.repeat(1025)]).message).toMatch(/passphrase must be at most 1024/)
    expect(rejection('changePassphrase', ['old', '']).message).toMatch(/next must not be empty/)
    expect(rejection('linkHomeNode', ['c'.repeat(257)]).message).toMatch(/code must be at most 256/)
    expect(rejection('linkHomeNode', [42]).message).toMatch(/code/)
    expect(validateArgs('send', ['id', 'a'.repeat(TEXT_MAX_BYTES)]).method).toBe('send')
    expect(rejection('send', ['id', 'a'.repeat(TEXT_MAX_BYTES + 1)]).message).toMatch(/at most 65536 bytes/)
    // 3 bytes per character in UTF-8: under the limit in UTF-16 units, over it in bytes
    expect(rejection('send', ['id', '€'.repeat(30_000)]).message).toMatch(/bytes of UTF-8/)
    expect(rejection('send', ['id', ' \n ']).message).toMatch(/text must not be empty/)
  })
})
