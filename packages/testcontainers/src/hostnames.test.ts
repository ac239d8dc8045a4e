import { describe, expect, it } from 'vitest'
import { certificateHostnames } from './hostnames.ts'

describe('certificateHostnames (MAILFRONT_HOSTNAME for the container)', () => {
  it("adds testcontainers' host, whatever it is, to the names given", () => {
    expect(certificateHostnames(undefined, '10.88.0.1')).toBe('10.88.0.1')
    expect(certificateHostnames(undefined, 'localhost')).toBe('localhost')
    expect(certificateHostnames('mailfront, api.test', 'Docker.Example')).toBe(
      'mailfront,api.test,docker.example',
    )
  })
  it('names a host once, and an IPv6 one without brackets', () => {
    expect(certificateHostnames('10.88.0.1', '10.88.0.1')).toBe('10.88.0.1')
    expect(certificateHostnames('', '[fd00::1]')).toBe('fd00::1')
  })
})
