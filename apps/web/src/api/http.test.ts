import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestJson, requestVoid } from './http.ts';
import { z } from 'zod';

/** Stubs fetch with a 204 (or JSON) answer and returns the RequestInit of each call. */
function stubFetch(answer: () => Response = () => new Response(null, { status: 204 })): RequestInit[] {
  const calls: RequestInit[] = [];
  vi.stubGlobal('fetch', (_path: string, init: RequestInit) => {
    calls.push(init);
    return Promise.resolve(answer());
  });
  return calls;
}

const contentType = (init: RequestInit | undefined): string | undefined =>
  (init?.headers as Record<string, string> | undefined)?.['Content-Type'];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('API requests and the server’s cross-site rule', () => {
  it('says Content-Type: application/json on every request but GET, also without a body', async () => {
    const calls = stubFetch();
    await requestVoid('POST', '/api/vms/0123456789ab/start');
    await requestVoid('DELETE', '/api/tokens/abc');
    await requestVoid('PUT', '/api/vms/0123456789ab', { name: 'x' });
    expect(calls.map(contentType)).toEqual(['application/json', 'application/json', 'application/json']);
    expect(calls[0]?.body).toBeUndefined();
    expect(calls[2]?.body).toBe('{"name":"x"}');
    expect(calls.every((c) => c.credentials === 'same-origin')).toBe(true);
  });

  it('sends no content type with a GET', async () => {
    const calls = stubFetch(() => Response.json([]));
    await requestJson('GET', '/api/vms', z.array(z.unknown()));
    expect(contentType(calls[0])).toBeUndefined();
  });
});
