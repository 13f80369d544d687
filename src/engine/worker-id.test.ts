import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { newWorkerId } from './index.js';

describe('worker ids', () => {
  it('name the host and process, and differ between engines of one process', () => {
    const ids = Array.from({ length: 50 }, () => newWorkerId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}:[0-9a-f]{8}(:pidns=\\d+:boot=[0-9a-f-]{36})?$`));
  });
});
