// The release wasm's size as a browser downloads it: raw, gzip -9 and
// brotli q11, and what the server actually sends: the `.br` copy that
// `make release` writes beside it (served to browsers that accept brotli).
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
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
for (const name of wasm) {
  const file = path.join(pkg, name);
  const bytes = fs.readFileSync(file);
  const gzip = zlib.gzipSync(bytes, { level: 9 }).length;
  const brotli = zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length;
  const served = fs.existsSync(`${file}.br`)
    ? `served as ${kib(fs.statSync(`${file}.br`).size)} (${name}.br)`
    : "served raw (no .br beside it: build with `make release`)";
  console.log(
    `wasm ${name}: ${kib(bytes.length)} raw, ${kib(gzip)} gzip, ${kib(brotli)} brotli; ${served} (goal: 300 KiB brotli)`,
  );
}
