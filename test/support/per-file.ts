/**
 * Runs before every test file (vitest setupFiles). Files share their
 * worker's modules (vitest.config.ts), so what one file left in a module's
 * registry must not reach the next: memory targets live in a process-wide
 * map keyed by target id, and many files name theirs `app`.
 */
import { memoryTargets } from '../../src/connectors/memory/index.js';

memoryTargets.clear();
