// Runs a WASI command module on node's `wasi` module, like `wasmtime run`:
//
//   node --experimental-wasi-unstable-preview1 wasm/run-node.mjs [--dir HOST::GUEST]... [--env K=V]... MODULE.wasm [ARG...]
//
// Standard streams are node's own; the exit status is the module's.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";

function usage(message) {
  process.stderr.write(`run-node: ${message}\n` +
    "usage: run-node.mjs [--dir HOST::GUEST]... [--env K=V]... MODULE.wasm [ARG...]\n");
  process.exit(2);
}

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let i = 0;
while (i < argv.length && argv[i].startsWith("--")) {
  const option = argv[i];
  if (option === "--") { i++; break; }
  if ((option !== "--dir" && option !== "--env") || i + 1 >= argv.length) usage(`bad option ${option}`);
  const value = argv[i + 1];
  if (option === "--dir") {
    const at = value.indexOf("::");
    if (at < 0) preopens[value] = value; else preopens[value.slice(at + 2)] = value.slice(0, at);
  } else {
    const eq = value.indexOf("=");
    if (eq < 0) usage(`--env needs K=V, got ${value}`);
    env[value.slice(0, eq)] = value.slice(eq + 1);
  }
  i += 2;
}
if (i >= argv.length) usage("no module given");
const path = argv[i];

const wasi = new WASI({ version: "preview1", args: [path, ...argv.slice(i + 1)], env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
let status;
try {
  status = wasi.start(instance);
} catch (error) {
  process.stderr.write(`run-node: the module trapped: ${error}\n`);
  status = 134;
}
process.exitCode = status;
