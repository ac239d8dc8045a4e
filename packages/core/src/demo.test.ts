import { describe, expect, it } from 'vitest'
import { defineDemo, tryDemo } from './demo.ts'

describe('tryDemo', () => {
  const demo = defineDemo({ data: {}, try: ['{curl} -u a:b {url}/x', '  also {url}/y'] })
  it('fills in curl (with -k over a self-signed certificate) and the address', () => {
    expect(tryDemo(demo, 'https://127.0.0.1:8080', true)).toEqual([
      'curl -k -u a:b https://127.0.0.1:8080/x',
      '  also https://127.0.0.1:8080/y',
    ])
    expect(tryDemo(demo, 'http://h:1', false)[0]).toBe('curl -u a:b http://h:1/x')
  })
  it('has nothing to say for a plugin without a demo', () => {
    expect(tryDemo(undefined, 'http://h:1', false)).toEqual([])
  })
})
