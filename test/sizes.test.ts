// The size rules for core/: no file over 400 lines and no function over 80 (a function's lines run
// from its first token to its closing brace, nested functions included), so a module that grows past
// one job, or a function past one screen, fails here rather than in review.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const MAX_FILE_LINES = 400
const MAX_FUNCTION_LINES = 80

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)))
    else if (entry.name.endsWith('.ts')) files.push(path)
  }
  return files
}

/** Every function in the text longer than the limit, as "name (N lines) at line L". */
export function longFunctions(fileName: string, text: string, limit = MAX_FUNCTION_LINES): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const last = source.getLineAndCharacterOfPosition(node.end).line
      const lines = last - first + 1
      const name = node.name?.getText(source) ?? ts.SyntaxKind[node.kind]
      if (lines > limit) found.push(`${name} (${lines} lines) at line ${first + 1}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe('core/ sizes', () => {
  it(`no file over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}`, async () => {
    const problems: string[] = []
    for (const file of await sourceFiles(join(ROOT, 'core'))) {
      const text = await readFile(file, 'utf8')
      const name = relative(ROOT, file)
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
      if (lines > MAX_FILE_LINES) problems.push(`${name}: ${lines} lines`)
      for (const fn of longFunctions(name, text)) problems.push(`${name}: ${fn}`)
    }
    expect(problems).toEqual([])
  })

  it('counts a function from its first line to its closing brace, nested ones included', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i}`).join('\n')
    const long = `export function outer(): void {\n${body(40)}\n  const inner = () => {\n${body(40)}\n  }\n}\n`
    expect(longFunctions('x.ts', long)).toEqual(['outer (84 lines) at line 1'])
    const method = `class C {\n  m(): void {\n${body(79)}\n  }\n}\n`
    expect(longFunctions('y.ts', method)).toEqual(['m (81 lines) at line 2'])
    expect(longFunctions('z.ts', `function f(): void {\n${body(78)}\n}\n`)).toEqual([])
  })
})
