#!/usr/bin/env node
// Brings Strapi's model records in line with the platform's routing table.
//
// Reads the routing table (JSON: { "models": [ { model_id, workspace, endpoint, enabled,
// rate_limit, allowed_clients } ] }) from ROUTES_FILE and upserts each record through
// Strapi 5's REST API (STRAPI_URL, with the API token in STRAPI_API_TOKEN): a missing
// record is created, a different one updated, an equal one left alone. A record Strapi
// has but the table does not is disabled, never deleted. Records are matched by
// model_id; running it twice changes nothing the second time. Exits non-zero on any
// HTTP error, after saying which request failed.
'use strict';

const fs = require('fs');

const FIELDS = ['model_id', 'workspace', 'endpoint', 'enabled', 'rate_limit', 'allowed_clients'];

/** What a record holds when the table leaves a field out (Strapi's defaults). */
const DEFAULTS = { enabled: true, rate_limit: null, allowed_clients: null };

/** How long one request may take before the run fails: a hung Strapi must not hang the sync. */
const REQUEST_TIMEOUT_MS = 30000;

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function request(method, path, body) {
  const base = env('STRAPI_URL').replace(/\/$/, '');
  let response;
  let text;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${env('STRAPI_API_TOKEN')}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (e) {
    throw new Error(`${method} ${path} failed: ${(e.cause && e.cause.code) || e.message}`);
  }
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new Error(`${method} ${path} answered ${response.status} with something that is not JSON: ${text.slice(0, 100)}`);
  }
}

/** Every model record in Strapi, page by page. */
async function existing() {
  const records = [];
  for (let page = 1; ; page++) {
    const reply = await request('GET', `/api/models?pagination[page]=${page}&pagination[pageSize]=100&sort=id`);
    records.push(...reply.data);
    const pages = reply.meta && reply.meta.pagination ? reply.meta.pagination.pageCount : 1;
    if (page >= pages) return records;
  }
}

function same(record, wanted) {
  return FIELDS.every((f) => JSON.stringify(record[f] ?? null) === JSON.stringify(wanted[f] ?? null));
}

async function main() {
  const table = JSON.parse(fs.readFileSync(env('ROUTES_FILE'), 'utf8'));
  const wanted = new Map(table.models.map((m) => [m.model_id, pick(m)]));
  const counts = { created: 0, updated: 0, disabled: 0, unchanged: 0 };
  const seen = new Set();
  for (const record of await existing()) {
    const desired = wanted.get(record.model_id);
    if (desired && !seen.has(record.model_id)) {
      seen.add(record.model_id);
      if (same(record, desired)) counts.unchanged++;
      else {
        await request('PUT', `/api/models/${record.documentId}`, { data: desired });
        counts.updated++;
      }
    } else if (record.enabled) {
      // Gone from the table (or a stray duplicate): stop routing to it, keep the record.
      await request('PUT', `/api/models/${record.documentId}`, { data: { enabled: false } });
      counts.disabled++;
    } else counts.unchanged++;
  }
  for (const [id, desired] of wanted) {
    if (seen.has(id)) continue;
    await request('POST', '/api/models', { data: desired });
    counts.created++;
  }
  console.log(`model registry: ${counts.created} created, ${counts.updated} updated, ${counts.disabled} disabled, ${counts.unchanged} unchanged`);
}

/** A table entry with exactly the record's fields, defaults filled in. */
function pick(model) {
  return Object.fromEntries(FIELDS.map((f) => [f, model[f] ?? DEFAULTS[f]]));
}

main().catch((e) => {
  console.error(`model registry: ${e.message}`);
  process.exit(1);
});
