import { once } from 'node:events';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FakeRfbServer } from './fake-rfb-server.ts';

interface Config {
  socketPath: string;
  width: number;
  height: number;
}

/**
 * The fake RFB server on its own thread: the benchmark's client then has the main thread to itself, as a
 * viewer in another process would, instead of taking turns with the server that feeds it.
 */
export class FakeRfbThread {
  private worker: Worker | undefined;

  constructor(private readonly config: Config) {}

  async listen(): Promise<this> {
    // NOTE: in Node 20 a worker's own module is loaded before `--import tsx` takes effect in it, so the
    // worker starts from a small script that registers tsx and then imports this file.
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: this.config });
    this.worker = worker;
    const [msg] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([e]) => Promise.reject(e as Error)),
    ])) as [unknown];
    if (msg !== 'listening') throw new Error(`fake RFB server thread: ${String(msg)}`);
    return this;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    worker.postMessage('close');
    await once(worker, 'exit');
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { socketPath, width, height } = workerData as Config;
  const server = await new FakeRfbServer(socketPath, width, height).listen();
  port.on('message', () => void server.close().then(() => process.exit(0)));
  port.postMessage('listening');
}
