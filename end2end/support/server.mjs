// Starts a real Flow server (the debug build of `cargo leptos build`) on a temporary SQLite
// database and seeds it through the REST API, the CLI and webhooks, as an operator would.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR || join(root, 'target');
const binary = process.env.FLOW_SERVER_BIN || join(targetDir, 'debug', 'server');
const ADMIN_TOKEN = 'e2e-operator-token-0123456789abcdef';

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** A running Flow server with helpers to seed and inspect it. */
export class Flow {
  static async start(extraEnv = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'flow-e2e-'));
    const port = await freePort();
    const flow = new Flow(dir, port);
    Object.assign(flow.env, extraEnv);
    flow.child = spawn(binary, [], { env: flow.env, stdio: ['ignore', 'pipe', 'pipe'] });
    flow.log = '';
    // Its log lines (FLOW_LOG=warn: warnings and errors) also go to the test's output as they
    // happen.
    flow.child.stdout.on('data', (d) => { flow.log += d; process.stderr.write(`flow: ${d}`); });
    flow.child.stderr.on('data', (d) => { flow.log += d; });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${flow.base}/healthz`)).ok) return flow;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    flow.stop();
    throw new Error(`the server did not start:\n${flow.log}`);
  }

  constructor(dir, port) {
    this.dir = dir;
    this.dbPath = join(dir, 'flow.db');
    this.base = `http://127.0.0.1:${port}`;
    this.env = {
      ...process.env,
      DATABASE_URL: `sqlite://${this.dbPath}?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.FLOW_SITE_ROOT || join(root, 'target', 'site'),
      FLOW_ADMIN_TOKEN: ADMIN_TOKEN,
      FLOW_PUBLIC_URL: this.base,
      // No Evolution API here: the test plays WhatsApp by posting webhooks itself.
      FLOW_SENDER: 'off',
      FLOW_LOG: 'warn',
      // The simulator (and the tests' unreachable Evolution) are on loopback.
      FLOW_EVOLUTION_ALLOW_PRIVATE: 'true',
      FLOW_SUPPRESSION_KEY: 'e2e-suppression-key-0123456789abcdef',
    };
  }

  stop() {
    this.child?.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async api(method, path, token, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** A tenant; answers `{id, api_token}`. */
  tenant(name) {
    return this.api('POST', '/api/v1/tenants', ADMIN_TOKEN, { name });
  }

  /**
   * Creates a campaign to every contact (`body`: name, message, instance_ids), starts it and
   * marks every message accepted by Evolution, as the sender (off here) would; answers
   * `{campaign, ids}` with the WhatsApp message ids (`${prefix}<row id>`) in row order.
   */
  async sentCampaign(token, body, prefix) {
    const campaign = await this.api('POST', '/api/v1/campaigns', token, { ...body, all_contacts: true });
    await this.api('POST', `/api/v1/campaigns/${campaign.id}/start`, token);
    this.sql(
      `UPDATE campaign_contact SET whatsapp_message_id = '${prefix}' || id, status = 'sent', sent_at = updated_at WHERE campaign_id = ${campaign.id};` +
      `UPDATE campaign SET sent = total, pending = 0 WHERE id = ${campaign.id};`,
    );
    const ids = this.sql(`SELECT whatsapp_message_id FROM campaign_contact WHERE campaign_id = ${campaign.id} ORDER BY id`).split('\n');
    return { campaign, ids };
  }

  /** A dashboard user, made with the CLI like a real operator would. */
  user(tenantId, email, password, role) {
    execFileSync(
      binary,
      ['user', 'create', '--tenant-id', String(tenantId), '--email', email, '--role', role],
      { env: { ...this.env, FLOW_USER_PASSWORD: password }, stdio: 'pipe' },
    );
  }

  /** Runs SQL on the server's database (stands in for the sender, which is off here). */
  sql(statement) {
    return execFileSync('sqlite3', [this.dbPath, statement], { encoding: 'utf8' }).trim();
  }

  /** Posts an Evolution webhook to an instance's URL. */
  async webhook(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`webhook: ${res.status} ${await res.text()}`);
  }

  /** A `messages.update` receipt of a message Flow sent. */
  receipt(url, instance, keyId, status) {
    return this.webhook(url, {
      event: 'messages.update',
      instance,
      data: { keyId, fromMe: true, status },
    });
  }

  /** An incoming text from a contact. */
  incoming(url, instance, phone, id, text) {
    return this.webhook(url, {
      event: 'messages.upsert',
      instance,
      data: {
        key: { remoteJid: `${phone}@s.whatsapp.net`, fromMe: false, id },
        pushName: 'Contact',
        message: { conversation: text },
        messageType: 'conversation',
        messageTimestamp: Math.floor(Date.now() / 1000),
      },
    });
  }
}
