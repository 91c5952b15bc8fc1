// Starts the Evolution simulator (`evolution-sim`, debug build) on a free port.

import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

import { freePort } from './server.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR || join(root, 'target');
const binary = process.env.SIM_BIN || join(targetDir, 'debug', 'evolution-sim');

/** A running simulator; `env` adds its variables (SIM_CLOSED_INSTANCES, SIM_VERSION…). */
export class Sim {
  static async start(env = {}) {
    const port = await freePort();
    const sim = new Sim(`http://127.0.0.1:${port}`);
    sim.child = spawn(binary, [], {
      env: { ...process.env, SIM_ADDR: `127.0.0.1:${port}`, SIM_LOG: 'warn', ...env },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${sim.base}/`)).ok) return sim;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    sim.stop();
    throw new Error('the simulator did not start');
  }

  constructor(base) {
    this.base = base;
    this.apiKey = 'sim-api-key';
  }

  /** Plays what Evolution does to an instance: `connect` (the phone scanned the QR)… */
  async control(instance, action) {
    const res = await fetch(`${this.base}/sim/instances/${instance}/${action}`, { method: 'POST' });
    if (!res.ok) throw new Error(`sim ${action}: ${res.status}`);
  }

  stop() {
    this.child?.kill('SIGTERM');
  }
}
