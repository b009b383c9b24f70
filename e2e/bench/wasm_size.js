// The release wasm's size as a browser downloads it: raw, gzip -9 and
// brotli q11 (what a CDN or `tower-http` compression would serve).
// Usage: node bench/wasm_size.js <site-root>
const zlib = require("zlib");
const fs = require("fs");
const path = require("path");

const pkg = path.join(process.argv[2] || "target/site", "pkg");
const wasm = fs.readdirSync(pkg).filter((n) => n.endsWith(".wasm"));
if (wasm.length === 0) {
  console.error(`no .wasm in ${pkg}: run the release build first`);
  process.exit(1);
}
for (const name of wasm) {
  const bytes = fs.readFileSync(path.join(pkg, name));
  const gzip = zlib.gzipSync(bytes, { level: 9 }).length;
  const brotli = zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length;
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`wasm ${name}: ${kib(bytes.length)} raw, ${kib(gzip)} gzip, ${kib(brotli)} brotli (goal: 300 KiB brotli)`);
}
