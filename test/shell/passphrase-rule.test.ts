// The minimum passphrase strength, enforced by the host for every shell (in-process, IPC, web
// socket, control socket all pass through checkedApi) and judged by zxcvbn.
import { describe, expect, it } from 'vitest'
import type { CairnApi } from '../../core/api/types'
import { checkedApi } from '../../core/host/checked'

function stub(): { api: CairnApi; ran: string[] } {
  const ran: string[] = []
  const run = new Proxy({} as CairnApi, { get: (_, method: string) => async () => void ran.push(method) })
  return { api: checkedApi(run), ran }
}

describe('new passphrases', () => {
  it('are refused below zxcvbn score 3 for every call that chooses one, saying why, before the call runs', async () => {
    const { api, ran } = stub()
    for (const weak of ['password1', 'qwertyuiop', 'Summer2024!', 'alice pass']) {
      await expect(api.create('Ada', weak)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/passphrase is too easy to guess/) })
      await expect(api.restore('cairn-backup-v1:AAAA', 'any old one', 'Ada', weak)).rejects.toMatchObject({ message: expect.stringMatching(/passphrase is too easy/) })
      await expect(api.changePassphrase('x', weak)).rejects.toMatchObject({ message: expect.stringMatching(/next is too easy/) })
      await expect(api.exportIdentity('x', weak)).rejects.toMatchObject({ message: expect.stringMatching(/backupPassphrase is too easy/) })
    }
    await expect(api.create('Ada', 'password1')).rejects.toMatchObject({ message: expect.stringMatching(/common/i) })
    expect(ran).toEqual([])
  })

  it('never judges a passphrase being proven: old ones keep working', async () => {
    const { api, ran } = stub()
    await api.unlock('x')
    await api.changePassphrase('x', 'correct horse battery staple')
    await api.restore('cairn-backup-v1:AAAA', 'x', 'Ada', 'a good passphrase')
    await api.exportIdentity('x', 'correct horse battery staple')
    expect(ran).toEqual(['unlock', 'changePassphrase', 'restore', 'exportIdentity'])
  })
})
