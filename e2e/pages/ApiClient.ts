import type { APIRequestContext } from '@playwright/test';

export interface VmAnswer {
  id: string;
  name: string;
  state: string;
  memoryMiB: number;
  vcpus: number;
  pendingChanges?: string[];
  devices?: unknown;
  nics: { slot: number; mac: string; linkUp: boolean }[];
  usb?: unknown;
}

/**
 * Direct API calls with the page's session (test setup and checks that the UI cannot show). Every call
 * throws with the server's answer when the status is not the expected one.
 */
export class ApiClient {
  constructor(
    private readonly request: APIRequestContext,
    /** The server's URL: the Origin a same-origin request of the page carries. */
    private readonly origin: string,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, expected: number, data?: unknown): Promise<T> {
    // As the web app sends it: the server refuses cookie requests that may come from another site.
    const headers: Record<string, string> =
      method === 'GET' ? {} : { origin: this.origin, 'content-type': 'application/json' };
    const res = await this.request.fetch(path, { method, headers, ...(data === undefined ? {} : { data }) });
    if (res.status() !== expected) {
      throw new Error(`${method} ${path}: ${res.status()} (expected ${expected}) ${await res.text()}`);
    }
    return (await res.json()) as T;
  }

  createImage(name: string, size: string): Promise<unknown> {
    return this.call('POST', '/api/images', 201, { name, format: 'qcow2', size });
  }

  async imageNames(): Promise<string[]> {
    const images = await this.call<{ name: string }[]>('GET', '/api/images', 200);
    return images.map((i) => i.name);
  }

  createVm(body: Record<string, unknown>): Promise<VmAnswer> {
    return this.call('POST', '/api/vms', 201, body);
  }

  vm(id: string): Promise<VmAnswer> {
    return this.call('GET', `/api/vms/${id}`, 200);
  }

  action(id: string, action: 'start' | 'poweroff'): Promise<VmAnswer> {
    return this.call('POST', `/api/vms/${id}/${action}`, 202);
  }

  /** The argv of the guest's running qemu (from /proc). */
  async processCmdline(id: string): Promise<string[]> {
    const proc = await this.call<{ cmdline: string[] }>('GET', `/api/vms/${id}/process`, 200);
    return proc.cmdline;
  }
}

/** The value after an option in an argv (`-m` → "256"), or undefined. */
export function optionValue(argv: readonly string[], option: string): string | undefined {
  const at = argv.indexOf(option);
  return at < 0 ? undefined : argv[at + 1];
}
