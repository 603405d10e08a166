// Compresses the browser bundle once, at build time: for each of this build's files in the
// site's pkg directory (the scripts, the WASM and its split-out chunks, the stylesheet) writes
// FILE.br (brotli at its best, quality 11) and FILE.gz (gzip -9), which the server sends as they
// are. Removes the files of earlier builds (cargo-leptos names each build's files after their
// content and leaves the old ones behind) and their compressed copies.
//
// Usage: node scripts/precompress.mjs PKG_DIR HASH_FILE
// HASH_FILE is cargo-leptos's hash.txt ("js: <hash>" lines); without it the files are plain
// names and all are compressed.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [pkgDir, hashFile] = process.argv.slice(2);
if (!pkgDir) {
  console.error('usage: node scripts/precompress.mjs PKG_DIR [HASH_FILE]');
  process.exit(2);
}

const lines = hashFile && fs.existsSync(hashFile)
  ? fs.readFileSync(hashFile, 'utf8').split('\n').map((line) => line.split(':').map((part) => part.trim()))
  : [];
const hashes = lines.map(([, hash]) => hash).filter((hash) => hash && hash.length >= 8);
// The pages split out of the main bundle (cargo-leptos --split) are chunks hash.txt does not
// list: the loader it does list names them (split_NAME.<hash>.wasm, chunk_N.<hash>.wasm).
const loader = lines.find(([kind]) => kind === 'split')?.[1];
if (loader) {
  const text = fs.readFileSync(path.join(pkgDir, `__wasm_split.${loader}.js`), 'utf8');
  for (const [, hash] of text.matchAll(/[\w-]+\.([\w-]{8,})\.wasm/g)) hashes.push(hash);
}

// A bundle file: NAME.js, NAME.wasm, NAME.css, NAME.json (the split manifest), or
// NAME.<hash>.<ext>.
const bundle = /^(?<name>[^.]+)(\.(?<hash>[^.]+))?\.(?<ext>js|wasm|css|json)$/;
const current = (file) => {
  const match = bundle.exec(file);
  if (!match) return null;
  if (hashes.length === 0) return true;
  return match.groups.hash !== undefined && hashes.includes(match.groups.hash);
};

let before = 0;
let brotli = 0;
let removed = 0;
for (const file of fs.readdirSync(pkgDir)) {
  const full = path.join(pkgDir, file);
  const original = file.replace(/\.(br|gz)$/, '');
  const isCurrent = current(original);
  if (isCurrent === null) continue;
  if (!isCurrent) {
    fs.rmSync(full);
    removed += 1;
    continue;
  }
  if (file !== original) continue;
  const data = fs.readFileSync(full);
  const br = zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  fs.writeFileSync(`${full}.br`, br);
  fs.writeFileSync(`${full}.gz`, zlib.gzipSync(data, { level: 9 }));
  before += data.length;
  brotli += br.length;
  console.log(`${file}: ${data.length} bytes, brotli ${br.length}`);
}
console.log(`bundle: ${before} bytes, ${brotli} with brotli 11${removed ? `; removed ${removed} files of earlier builds` : ''}`);
