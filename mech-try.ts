import { rocketParams } from './emulator/timing/index.js';
import { runIpcBench } from './tools/bench/ipc.js';
import { table } from './tools/bench/ipc/report.js';
const mechs = (process.argv[2] ?? 'gate').split(',') as any;
const series = process.argv[3] ? process.argv[3].split(',') as any : undefined;
const t0 = Date.now();
const rep = await runIpcBench({ mechs, series, core: rocketParams(), asid: process.argv[4] === 'asid', runs: 5, warmup: 2, log: (l) => console.error(l) }, { revision: 'try', dirty: true });
process.stdout.write(table(rep));
console.error(`${(Date.now() - t0) / 1000}s`);
