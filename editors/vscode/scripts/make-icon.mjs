// Draws icon.png (128x128): an eye — devwatch watches — over a rounded
// square, with a green "ready" dot. Run once; the PNG is committed.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const N = 128;
const px = Buffer.alloc(N * N * 4);
const mix = (a, b, t) => a + (b - a) * t;
function put(x, y, [r, g, b], a) {
  const i = (y * N + x) * 4;
  const ea = px[i + 3] / 255;
  const oa = a + ea * (1 - a);
  if (oa === 0) return;
  px[i] = Math.round((r * a + px[i] * ea * (1 - a)) / oa);
  px[i + 1] = Math.round((g * a + px[i + 1] * ea * (1 - a)) / oa);
  px[i + 2] = Math.round((b * a + px[i + 2] * ea * (1 - a)) / oa);
  px[i + 3] = Math.round(oa * 255);
}
// Signed-distance shapes, 4x4 supersampled for smooth edges.
function fill(inside, color) {
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++) {
      let c = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4)) c++;
      if (c) put(x, y, typeof color === "function" ? color(x, y) : color, c / 16);
    }
}
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const eye = (cx, cy, w, h) => (x, y) => {
  const u = (x - cx) / w;
  if (Math.abs(u) > 1) return false;
  return Math.abs(y - cy) <= h * (1 - u * u);
};
fill(roundRect(4, 4, 124, 124, 24), (x, y) => {
  const t = (x + y) / (2 * N);
  return [Math.round(mix(0x1f, 0x0b, t)), Math.round(mix(0x3a, 0x1d, t)), Math.round(mix(0x5f, 0x33, t))];
});
fill(eye(64, 62, 48, 30), [0xf2, 0xf5, 0xf8]);
fill(circle(64, 62, 19), [0x2b, 0x7c, 0xd3]);
fill(circle(64, 62, 8), [0x0b, 0x1d, 0x33]);
fill(circle(58, 56, 4), [0xff, 0xff, 0xff]);
fill(circle(100, 100, 15), [0x0b, 0x1d, 0x33]);
fill(circle(100, 100, 11), [0x3f, 0xb9, 0x50]);

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
writeFileSync(new URL("../icon.png", import.meta.url), Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
]));
