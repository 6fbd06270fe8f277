// Joining the output backlog and live notifications by sequence number.
import assert from "node:assert/strict";
import { test } from "node:test";

import { OutputFeed } from "../../src/outputFeed";

const line = (seq: number, text = `l${seq}`) => ({ name: "web", seq, stream: "stdout", text });

test("live lines that arrive during the backlog request are not shown twice", () => {
  const f = new OutputFeed();
  f.beginBacklog();
  assert.deepEqual(f.live(line(2)).append, []);
  assert.deepEqual(f.live(line(3)).append, []);
  const step = f.applyBacklog({ name: "web", lines: [0, 1, 2].map((s) => line(s)), dropped: 0, nextSeq: 3 });
  assert.deepEqual(step.append, ["l0", "l1", "l2", "l3"]);
  assert.equal(f.nextSeq, 4);
  assert.deepEqual(f.live(line(4)).append, ["l4"]);
  assert.deepEqual(f.live(line(4)).append, []);
});

test("a gap asks for the backlog instead of losing lines", () => {
  const f = new OutputFeed();
  f.applyBacklog({ name: "web", lines: [], dropped: 0, nextSeq: 0 });
  assert.deepEqual(f.live(line(0)).append, ["l0"]);
  const gap = f.live({ ...line(5), skipped: 4 });
  assert.deepEqual(gap, { append: [], refetchFrom: 1 });
  const step = f.applyBacklog({ name: "web", lines: [1, 2, 3, 4, 5].map((s) => line(s)), dropped: 0, nextSeq: 6 });
  assert.deepEqual(step.append, ["l1", "l2", "l3", "l4", "l5"]);
});

test("lines evicted from the server's ring are announced", () => {
  const f = new OutputFeed();
  f.beginBacklog();
  const step = f.applyBacklog({ name: "web", lines: [line(7), line(8)], dropped: 7, nextSeq: 9 });
  assert.deepEqual(step.append, ["[devwatch] 7 earlier line(s) are no longer kept and are not shown", "l7", "l8"]);
});

test("cut lines say so", () => {
  const f = new OutputFeed();
  f.applyBacklog({ name: "web", lines: [], dropped: 0, nextSeq: 0 });
  assert.deepEqual(f.live({ ...line(0, "xxx"), cut: true }).append, ["xxx […line cut]"]);
});
