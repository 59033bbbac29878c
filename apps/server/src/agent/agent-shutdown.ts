// A shutdown asked of the guest agent when it answers, of the ACPI power button otherwise.
import type { ShutdownVia } from '@virtweb/protocol';
import { exitWithin } from '../vms/qemu-death.ts';
import type { VmRuntime } from '../vms/vm-runtime.ts';
import type { AgentMonitor } from './agent-monitor.ts';

/**
 * Starts a shutdown of guest `id` and says how it was asked: `guest-agent` when its agent answered its last
 * ping (then, if the guest is not gone within `timeoutMs`, quit, SIGTERM and SIGKILL follow as after an ACPI
 * shutdown), else `acpi` (the engine's stop escalation). An agent that refuses or fails the shutdown hands it
 * to ACPI and `onFallback` is called. Returns at once; the guest's exit ends it.
 */
export function startShutdown(
  agents: AgentMonitor,
  id: string,
  rt: VmRuntime,
  timeoutMs: number,
  onFallback: () => void,
): ShutdownVia {
  const agent = agents.answering(id);
  const acpi = (): void => {
    agents.noteShutdown(rt, 'acpi');
    void rt.guest.stop({ powerdownTimeoutMs: timeoutMs });
  };
  if (!agent) {
    acpi();
    return 'acpi';
  }
  agents.noteShutdown(rt, 'guest-agent');
  void agent.shutdown().then(
    async () => {
      if (!(await exitWithin(rt, timeoutMs))) await rt.guest.stop({ from: 'quit' });
    },
    () => {
      if (rt.guest.exit) return;
      acpi();
      onFallback();
    },
  );
  return 'guest-agent';
}
