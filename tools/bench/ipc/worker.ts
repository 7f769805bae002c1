// A worker thread of `rvx bench ipc`: builds and runs each image it is sent (runSeriesJob) while the other
// workers run theirs (tools/bench/ipc.ts, runPlans). Every image runs on its own machine and core model,
// so the results are those of the same image run alone. Bundled as dist/cli/bench-worker.cjs.

import { parentPort } from 'node:worker_threads';
import { runSeriesJob, type SeriesJob } from '../ipc.js';
import { BenchError } from './report.js';

parentPort?.on('message', (job: SeriesJob) => {
  runSeriesJob(job).then(
    (value) => parentPort!.postMessage({ ok: true, value }),
    (e: unknown) => parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e), bench: e instanceof BenchError }),
  );
});
