import { useQuery } from '@tanstack/react-query';
import type { Vm } from '@virtweb/protocol';
import { QueryError } from '../../../components/QueryError.tsx';
import { hostQuery } from '../../../queries/host.ts';
import { imagesQuery } from '../../../queries/images.ts';
import { isLive } from '../storage/storageStates.ts';
import { AutostartPanel } from './AutostartPanel.tsx';
import { BalloonPanel, runsWithBalloon } from './BalloonPanel.tsx';
import { NextCommandLine } from './NextCommandLine.tsx';
import { NicsPanel } from './NicsPanel.tsx';
import { SettingsForm } from './SettingsForm.tsx';
import { UsbPanel } from './UsbPanel.tsx';
import './settings.css';

/**
 * The Settings tab: the configuration form, the balloon while the guest runs, the NICs, the USB devices, and the command line its next
 * start will use. The host and image lists only add choices and hints: the form works without them.
 */
export function SettingsTab({ vm }: { vm: Vm }) {
  const host = useQuery(hostQuery());
  const images = useQuery(imagesQuery());
  return (
    <div className="settings-tab">
      {host.isError && (
        <QueryError what="the host facts" error={host.error} onRetry={() => void host.refetch()} />
      )}
      {images.isError && (
        <QueryError what="the images" error={images.error} onRetry={() => void images.refetch()} />
      )}
      {isLive(vm.state) && runsWithBalloon(vm) && <BalloonPanel key={vm.startedAt} vm={vm} />}
      <SettingsForm key={vm.id} vm={vm} host={host.data} images={images.data ?? []} />
      <NicsPanel key={`nics-${vm.id}`} vm={vm} />
      <UsbPanel key={`usb-${vm.id}`} vm={vm} />
      <AutostartPanel key={`autostart-${vm.id}`} vm={vm} />
      <NextCommandLine vm={vm} />
    </div>
  );
}
