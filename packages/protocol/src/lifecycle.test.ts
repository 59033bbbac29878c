import { describe, expect, it } from 'vitest';
import {
  isOperationAllowed,
  LIVE_STATES,
  OFFLINE_STATES,
  operationRefusal,
  PROCESS_STATES,
  transitionTarget,
  VM_OPERATIONS,
  VM_TRANSITIONS,
  type VmEvent,
} from './lifecycle.ts';
import { VmActionSchema, VmStateSchema, type VmState } from './vms.ts';

const STATES = VmStateSchema.options;
const EVENTS = Object.keys(VM_TRANSITIONS) as VmEvent[];

function targets(event: VmEvent, from: VmState): VmState[] {
  const to = VM_TRANSITIONS[event].to;
  return to === 'unchanged' ? [from] : [...to];
}

describe('the VM transition table', () => {
  it('reaches every state from a new VM', () => {
    const seen = new Set<VmState>(['defined']);
    for (let grew = true; grew;) {
      grew = false;
      for (const event of EVENTS) {
        for (const from of VM_TRANSITIONS[event].from) {
          if (!seen.has(from)) continue;
          for (const to of targets(event, from)) {
            if (seen.has(to)) continue;
            seen.add(to);
            grew = true;
          }
        }
      }
    }
    expect([...seen].sort()).toEqual([...STATES].sort());
  });

  it('lets every state be left, and every process state end with its process', () => {
    for (const state of STATES) {
      const out = EVENTS.filter(
        (e) => targets(e, state).some((t) => t !== state) && VM_TRANSITIONS[e].from.includes(state),
      );
      expect([state, out.length > 0]).toEqual([state, true]);
    }
    for (const state of PROCESS_STATES) expect(VM_TRANSITIONS.exited.from).toContain(state);
    expect(VM_TRANSITIONS.exited.from.filter((s) => !PROCESS_STATES.includes(s))).toEqual([]);
  });

  it('names only known states', () => {
    for (const event of EVENTS) {
      for (const s of [...VM_TRANSITIONS[event].from, ...targets(event, 'running')])
        expect(STATES).toContain(s);
    }
    expect([...LIVE_STATES, ...OFFLINE_STATES].every((s) => STATES.includes(s))).toBe(true);
    expect(OFFLINE_STATES.some((s) => PROCESS_STATES.includes(s))).toBe(false);
  });

  it('picks the one target, or the asked one among several, and nothing outside the table', () => {
    expect(transitionTarget('start', 'stopped')).toBe('starting');
    expect(transitionTarget('start', 'running')).toBeUndefined();
    expect(transitionTarget('exited', 'running')).toBeUndefined(); // two targets: the caller must say
    expect(transitionTarget('exited', 'running', 'crashed')).toBe('crashed');
    expect(transitionTarget('exited', 'running', 'paused')).toBeUndefined();
    expect(transitionTarget('reset', 'paused')).toBe('paused');
    expect(transitionTarget('reset', 'paused', 'running')).toBeUndefined();
    expect(transitionTarget('poweroff', 'stopping')).toBe('stopping');
    expect(transitionTarget('adopted', 'starting', 'paused')).toBe('paused');
  });
});

describe('the VM operation table', () => {
  it('allows an operation that moves the VM exactly where its transition starts', () => {
    for (const [op, rule] of Object.entries(VM_OPERATIONS)) {
      if (rule.event === undefined) continue;
      expect([op, [...rule.allowed].sort()]).toEqual([op, [...VM_TRANSITIONS[rule.event].from].sort()]);
    }
  });

  it('gives every lifecycle action its own event', () => {
    for (const action of VmActionSchema.options) expect(VM_OPERATIONS[action].event).toBe(action);
  });

  it('never allows an operation that stays put while qemu comes or goes', () => {
    for (const [op, rule] of Object.entries(VM_OPERATIONS)) {
      if (op === 'poweroff') continue; // the one that ends a pending shutdown
      for (const state of ['starting', 'stopping', 'migrating'] as const) {
        expect([op, state, rule.allowed.includes(state)]).toEqual([op, state, false]);
      }
    }
  });

  it('answers with the states an operation needs', () => {
    expect(isOperationAllowed('pause', 'running')).toBe(true);
    expect(isOperationAllowed('poweroff', 'stopping')).toBe(true);
    expect(isOperationAllowed('delete', 'paused')).toBe(false);
    expect(operationRefusal('pause', 'stopped')).toBe(
      'cannot pause a VM that is stopped (allowed when running)',
    );
    expect(operationRefusal('clone', 'running')).toBe(
      'cannot clone a VM that is running (allowed when defined or stopped or crashed)',
    );
  });
});
