// chokidar with default options except ignoreInitial (no "add" for every
// existing file), as editors and dev servers configure it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const nm = process.env.BENCH_NODE_MODULES;
const chokidar = await import(pathToFileURL(path.join(nm, 'chokidar', 'index.js')).href);
const dir = path.resolve(process.argv[2]);

const w = chokidar.watch(dir, { ignoreInitial: true });
const ev = (p) => process.stdout.write('EV ' + p + '\n');
w.on('add', ev).on('change', ev).on('unlink', ev).on('addDir', ev).on('unlinkDir', ev);
w.on('error', (e) => process.stdout.write('ERR ' + String(e).replace(/\n/g, ' ') + '\n'));
w.on('ready', () => process.stdout.write('READY\n'));
