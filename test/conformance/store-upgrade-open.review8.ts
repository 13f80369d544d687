/** A process that opens (and so migrates) the store at argv[2], then exits: the upgrade test starts two at once. */
import { openStore } from '../../src/store/index.js';

const store = await openStore(process.argv[2]!);
await store.close();
process.stdout.write('opened\n');
