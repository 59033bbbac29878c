import type { HostInfo, Image } from '@virtweb/protocol';
import type { PathErrors } from './networkDraft.ts';
import type { WizardValues } from './wizardValues.ts';

export type SetValue = <K extends keyof WizardValues>(key: K, value: WizardValues[K]) => void;

/** What every step component gets: the form, its setter, the messages by field and the host's facts. */
export interface StepProps {
  values: WizardValues;
  set: SetValue;
  errors: PathErrors;
  images: readonly Image[];
  host: HostInfo;
}
