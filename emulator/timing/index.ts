// The timing model's public face: `createCoreModel` for 'rocket', 'ideal' or explicit parameters, and
// `coreFromOption` for the `--core rocket|ideal|<file.json>` option of rvx run/trace/profile.

import { readFileSync } from 'node:fs';
import type { CommitObserver, CommitRecord, PageTableReader } from '../types.js';
import { CoreParamsError, parseCoreParams, rocketParams, type CoreParams } from './params.js';
import { N_STALLS, RocketModel, STALL_NAMES, type CoreStats, type PassRecord, type PassSummarySink, type StallName } from './rocket.js';
import ROCKET_SRAM from './cores/rocket-sram.json';
import ROCKET_DRAM from './cores/rocket-dram.json';

/**
 * Named cores (`--core NAME`): emulator/timing/cores/NAME.json. rocket-sram is the memory system of the
 * calibration RTL (the built-in rocket defaults); rocket-dram a DDR board (docs/cycle-model.md).
 */
export const NAMED_CORES: Readonly<Record<string, unknown>> = Object.freeze({ 'rocket-sram': ROCKET_SRAM, 'rocket-dram': ROCKET_DRAM });

export { CoreParamsError, parseCoreParams, rocketParams, ROCKET_PARAMS, type CoreParams, type XpcParams } from './params.js';
export { STALL_NAMES, mulDivCycles, type CoreStats, type PassRecord, type PassSummarySink, type StallName } from './rocket.js';

export type CoreSpec = 'rocket' | 'ideal' | CoreParams;

export interface CoreModel {
  /** 'ideal', 'rocket' or the parameter file's name. */
  name: string;
  /** The observer for Machine.run; null for 'ideal' (every instruction 1 cycle, the fast loop). */
  observer: CommitObserver | null;
  /** Parameters in force (null for 'ideal'). */
  params: CoreParams | null;
  /** Cumulative cycles, instructions and stall breakdown since the last reset (null for 'ideal'). */
  stats(): CoreStats | null;
  /** Cold caches, TLBs and predictors, zero counters. */
  reset(): void;
  /** Cycles of the last observed instruction and their stall breakdown (indexes of STALL_NAMES). */
  readonly lastStalls: Float64Array;
  /** XPC extension point: extra cycles for an XPC instruction (see docs/cycle-model.md). */
  setXpcCost(hook: ((rec: CommitRecord) => number) | null): void;
  /**
   * Have the observer's replayPass write each replayed instruction's cycles and stalls into the returned
   * record (RocketModel.recordPasses); null when the model has no replayPass (ideal).
   */
  recordPasses(on: boolean): PassRecord | null;
  /**
   * With recordPasses on: passes `sink` finds summable are modelled in WebAssembly and reported whole
   * (RocketModel.summarizePasses); null: every pass instruction by instruction. No effect for ideal.
   */
  summarizePasses(sink: PassSummarySink | null): void;
  /**
   * Instructions of translated blocks the model replayed from commit logs in WebAssembly and in
   * JavaScript (RocketModel.replayLog, replayPass); zeros for ideal.
   */
  replayed(): { wasm: number; js: number };
}

/**
 * A core model. `reader` lets the model walk the machine's page tables on its own TLB misses (the
 * Machine provides one); without it a walk costs three D-cache hits.
 */
export function createCoreModel(spec: CoreSpec, reader: PageTableReader | null = null): CoreModel {
  if (spec === 'ideal') {
    return {
      name: 'ideal',
      observer: null,
      params: null,
      stats: () => null,
      reset: () => {},
      lastStalls: new Float64Array(N_STALLS),
      setXpcCost: () => {},
      recordPasses: () => null,
      summarizePasses: () => {},
      replayed: () => ({ wasm: 0, js: 0 }),
    };
  }
  const params = spec === 'rocket' ? rocketParams() : spec;
  const model = new RocketModel(params, reader);
  return {
    name: params.name,
    observer: model.observer,
    params,
    stats: () => model.stats(),
    reset: () => model.reset(),
    lastStalls: model.lastStalls,
    setXpcCost: (hook) => model.setXpcCost(hook),
    recordPasses: (on) => model.recordPasses(on),
    summarizePasses: (sink) => model.summarizePasses(sink),
    replayed: () => ({ wasm: model.replayedInWasm, js: model.replayedInJs }),
  };
}

/** Read and validate a JSON parameter file; errors are CoreParamsError with a clear message. */
export function loadCoreParams(path: string): CoreParams {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CoreParamsError(`${path}: cannot read core parameters: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CoreParamsError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseCoreParams(json, path);
}

/**
 * The core named by a `--core` option value: 'rocket' (the default when undefined), 'ideal', or a path
 * to a JSON parameter file. Throws CoreParamsError with a message fit for the user.
 */
export function coreFromOption(value: string | undefined, reader: PageTableReader | null = null): CoreModel {
  const v = value ?? 'rocket';
  if (v === 'rocket' || v === 'ideal') return createCoreModel(v, reader);
  if (v === '') throw new CoreParamsError('--core needs a value: rocket, ideal, a named core or a JSON parameter file');
  if (v in NAMED_CORES) return createCoreModel(parseCoreParams(NAMED_CORES[v], `emulator/timing/cores/${v}.json`), reader);
  if (!/\.json$/i.test(v)) {
    throw new CoreParamsError(`--core ${v}: expected rocket, ideal or a .json parameter file (or a named core: ${Object.keys(NAMED_CORES).join(', ')})`);
  }
  return createCoreModel(loadCoreParams(v), reader);
}

/** Stall categories by name, for reports. */
export function stallRecord(values: Float64Array): Record<StallName, number> {
  const out = {} as Record<StallName, number>;
  STALL_NAMES.forEach((n, i) => (out[n] = values[i]));
  return out;
}
