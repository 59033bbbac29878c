import { useState } from 'react';
import { RadioGroup } from '../RadioGroup.tsx';
import { SerialTerminal } from './SerialTerminal.tsx';
import type { ConsolePhase } from './useConsoleSession.ts';

type Port = 0 | 1 | 2 | 3;
const PORTS: readonly Port[] = [0, 1, 2, 3];

interface Props {
  vmId: string;
  vmName: string;
  phase: ConsolePhase;
  generation: string;
  /** The ports the guest runs with (ttyS0 included). */
  ports: number;
}

/** The Serial tab: ttyS0 (the console), and a choice of port when the guest has more than one. */
export function SerialTab({ ports, ...props }: Props) {
  const [port, setPort] = useState<Port>(0);
  const shown = PORTS.filter((p) => p < ports);
  return (
    <div className="serial-tab">
      {shown.length > 1 && (
        <RadioGroup
          legend="Serial port"
          value={String(port)}
          options={shown.map((p) => ({ value: String(p), label: p === 0 ? 'ttyS0 (console)' : `ttyS${p}` }))}
          onChange={(v) => setPort(PORTS.find((p) => String(p) === v) ?? 0)}
        />
      )}
      <SerialTerminal key={port} {...props} port={port < ports ? port : 0} />
    </div>
  );
}
