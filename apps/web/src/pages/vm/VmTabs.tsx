import { Suspense, lazy } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Vm } from '@virtweb/protocol';
import { consolePhase } from '../../components/console/useConsoleSession.ts';
import { Loading } from '../../components/QueryError.tsx';
import type { UserRole } from '@virtweb/protocol';
import { Tabs, panelId, tabId, type TabItem } from '../../components/Tabs.tsx';
import { roleAllows, useRole } from '../../queries/role.ts';
import { AgentPanel } from './AgentPanel.tsx';
import { LabelsPanel } from './LabelsPanel.tsx';
import { LastExit } from './LastExit.tsx';
import { TaskList } from '../tasks/TaskList.tsx';
import { PendingBanner } from './settings/PendingBanner.tsx';
import { HardwareTab } from './hardware/HardwareTab.tsx';
import { VmFacts } from './VmFacts.tsx';
import { Windows11Panel } from './Windows11Panel.tsx';
import { SnapshotsPanel } from './storage/SnapshotsPanel.tsx';
import { StoragePanel } from './storage/StoragePanel.tsx';

// The consoles (noVNC, xterm.js) load when a console tab is first opened, not with the app.
const VncConsole = lazy(() =>
  import('../../components/console/VncConsole.tsx').then((m) => ({ default: m.VncConsole })),
);
const MonitorTerminal = lazy(() =>
  import('../../components/console/MonitorTerminal.tsx').then((m) => ({ default: m.MonitorTerminal })),
);
const QmpConsole = lazy(() =>
  import('../../components/console/QmpConsole.tsx').then((m) => ({ default: m.QmpConsole })),
);
const SerialTab = lazy(() =>
  import('../../components/console/SerialTab.tsx').then((m) => ({ default: m.SerialTab })),
);
// The charts (uPlot) load with the Graphs tab.
const GraphsTab = lazy(() => import('./metrics/GraphsTab.tsx').then((m) => ({ default: m.GraphsTab })));
const ProcessTab = lazy(() => import('./process/ProcessTab.tsx').then((m) => ({ default: m.ProcessTab })));
const SettingsTab = lazy(() =>
  import('./settings/SettingsTab.tsx').then((m) => ({ default: m.SettingsTab })),
);

type TabKey =
  | 'overview'
  | 'screen'
  | 'monitor'
  | 'qmp'
  | 'serial'
  | 'hardware'
  | 'storage'
  | 'snapshots'
  | 'graphs'
  | 'process'
  | 'tasks'
  | 'settings';

/** The role a tab needs when it is more than read (the consoles act on the guest or on qemu itself). */
const TABS: readonly (TabItem<TabKey> & { needs?: UserRole })[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'screen', label: 'Screen' },
  { id: 'monitor', label: 'Monitor', needs: 'admin' },
  { id: 'qmp', label: 'QMP', needs: 'admin' },
  { id: 'serial', label: 'Serial', needs: 'operate' },
  { id: 'hardware', label: 'Hardware' },
  { id: 'storage', label: 'Storage' },
  { id: 'snapshots', label: 'Snapshots' },
  { id: 'graphs', label: 'Graphs' },
  { id: 'process', label: 'Process' },
  { id: 'tasks', label: 'Tasks' },
  { id: 'settings', label: 'Settings' },
];
const ID_BASE = 'vm';

const isTab = (v: string | null): v is TabKey => TABS.some((t) => t.id === v);

/**
 * The views of one guest as tabs; the open tab is in the URL (`?tab=screen`), so it survives a reload and
 * can be linked. Only the open tab is mounted: a console holds its connection only while it is shown (the
 * monitor and QMP take one viewer at a time).
 */
export function VmTabs({ vm }: { vm: Vm }) {
  const [params, setParams] = useSearchParams();
  const role = useRole();
  // A tab the user's role cannot use is not offered (its socket would be refused 403).
  const tabs = TABS.filter((t) => t.needs === undefined || roleAllows(role, t.needs));
  const param = params.get('tab');
  const selected: TabKey = isTab(param) && tabs.some((t) => t.id === param) ? param : 'overview';
  const select = (tab: TabKey) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (tab === 'overview') next.delete('tab');
        else next.set('tab', tab);
        return next;
      },
      { replace: true },
    );

  const props = {
    vmId: vm.id,
    vmName: vm.name,
    phase: consolePhase(vm.state),
    generation: vm.startedAt ?? '',
  };
  return (
    <>
      <PendingBanner vm={vm} />
      <Tabs
        label={`Views of ${vm.name}`}
        idBase={ID_BASE}
        tabs={tabs}
        selected={selected}
        onSelect={select}
      />
      <div
        className="tabpanel"
        role="tabpanel"
        id={panelId(ID_BASE, selected)}
        aria-labelledby={tabId(ID_BASE, selected)}
        tabIndex={selected === 'overview' ? 0 : -1}
      >
        {selected === 'overview' && (
          <div className="columns">
            <VmFacts vm={vm} />
            <AgentPanel vm={vm} />
            {(vm.os === 'windows' || vm.os === 'windows11') && <Windows11Panel vm={vm} />}
            {vm.lastExit && <LastExit exit={vm.lastExit} />}
            <LabelsPanel key={vm.id} vm={vm} />
          </div>
        )}
        <Suspense fallback={<Loading what="the console" />}>
          {selected === 'screen' && <VncConsole key={vm.id} {...props} />}
          {selected === 'monitor' && <MonitorTerminal key={vm.id} {...props} />}
          {selected === 'qmp' && <QmpConsole key={vm.id} {...props} />}
          {selected === 'serial' && <SerialTab key={vm.id} {...props} ports={vm.devices.serialPorts} />}
        </Suspense>
        {selected === 'hardware' && <HardwareTab vm={vm} open={select} />}
        {selected === 'storage' && <StoragePanel vm={vm} />}
        {selected === 'snapshots' && <SnapshotsPanel vm={vm} />}
        {selected === 'tasks' && (
          <TaskList key={vm.id} filters={{ vm: vm.id }} linkVms={false} label={`Tasks of ${vm.name}`} />
        )}
        <Suspense fallback={<Loading what="the view" />}>
          {selected === 'graphs' && <GraphsTab key={vm.id} vm={vm} />}
          {selected === 'process' && <ProcessTab key={vm.id} vm={vm} />}
          {selected === 'settings' && <SettingsTab key={vm.id} vm={vm} />}
        </Suspense>
      </div>
    </>
  );
}
