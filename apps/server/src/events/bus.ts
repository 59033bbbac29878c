import { EventEmitter } from 'node:events';
import type { ServerEvent } from '@virtweb/protocol';

/** Fan-out of server events to every events websocket (and tests). */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: ServerEvent): void {
    this.emitter.emit('event', event);
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
