// The API contract shared by the server and the web app: zod schemas and their inferred types.
export * from './names.ts';
export * from './size.ts';
export * from './errors.ts';
export * from './host.ts';
export * from './images.ts';
export * from './vm-config.ts';
export * from './vms.ts';
export * from './vm-meta.ts';
export * from './lifecycle.ts';
export * from './auth.ts';
export * from './peers.ts';
export * from './migration.ts';
export * from './events.ts';
export * from './metrics.ts';
export * from './process.ts';
export * from './consoles.ts';
export * from './storage.ts';
