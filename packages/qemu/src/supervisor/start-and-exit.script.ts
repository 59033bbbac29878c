// Run by adopt.test.ts as its own node process: start a guest the way the server does, then exit abruptly
// (no stop, no QMP close), like a server that crashed. Prints {"pid": <qemu pid>}.
import { buildArgv } from '../argv.ts';
import { runtimePaths } from '../spec.ts';
import { startQemu } from './start.ts';
import { QEMU, TINY } from './test-support.ts';

const runDir = process.argv[2];
if (runDir === undefined) throw new Error('usage: start-and-exit.script.ts <run dir>');
const paths = runtimePaths(runDir);
const proc = await startQemu({ binary: QEMU, argv: buildArgv(TINY, paths, { startPaused: true }), paths });
process.stdout.write(JSON.stringify({ pid: proc.pid }) + '\n');
process.exit(0);
