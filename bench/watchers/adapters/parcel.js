// @parcel/watcher (the watcher VS Code uses) with default options, except
// backend: 'inotify'. By default it prefers watchman when watchman is
// installed (it is, for the watchman peer): its probe `watchman get-sockname`
// then decides the backend, and its daemon's memory would not be counted.
'use strict';
const path = require('path');
const nm = process.env.BENCH_NODE_MODULES;
const watcher = require(path.join(nm, '@parcel/watcher'));
const dir = path.resolve(process.argv[2]);

watcher.subscribe(dir, (err, events) => {
  if (err) { process.stdout.write('ERR ' + String(err).replace(/\n/g, ' ') + '\n'); return; }
  let out = '';
  for (const e of events) out += 'EV ' + e.path + '\n';
  process.stdout.write(out);
}, { backend: 'inotify' }).then(() => {
  process.stdout.write('READY\n');
}, (err) => {
  process.stderr.write('subscribe failed: ' + err + '\n');
  process.exit(2);
});
