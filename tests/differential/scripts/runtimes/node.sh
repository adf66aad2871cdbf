# reference: proot
# Node.js 20 (V8: its JIT writes code, mprotects it and flushes the icache; SIGSEGV handlers
# for WebAssembly bounds): JSON, a hot loop the optimising compiler takes, WebAssembly, promises
# and timers, worker threads, child_process, fs and a local HTTP server and client.
cat > n.js <<'EOF'
const { Worker } = require('worker_threads');
const { execFileSync } = require('child_process');
const fs = require('fs'), http = require('http'), crypto = require('crypto');
let s = 0; for (let i = 0; i < 3e6; i++) s = (s + i * i) % 1000003;
console.log('loop', s, JSON.stringify({ a: [1, 2.5, null], b: 'x' }));
const wasm = new Uint8Array([0,97,115,109,1,0,0,0,1,7,1,96,2,127,127,1,127,3,2,1,0,7,7,1,3,97,100,100,0,0,10,9,1,7,0,32,0,32,1,106,11]);
WebAssembly.instantiate(wasm).then(({ instance }) => console.log('wasm add', instance.exports.add(40, 2)));
console.log('sha256', crypto.createHash('sha256').update('skiff').digest('hex').slice(0, 16));
console.log('child', execFileSync('sh', ['-c', 'echo from sh']).toString().trim());
fs.writeFileSync('n.txt', Array.from({ length: 50 }, (_, i) => i + 1).join('\n'));
console.log('file sum', fs.readFileSync('n.txt', 'utf8').split('\n').map(Number).reduce((a, b) => a + b));
const w = new Worker('const { parentPort } = require("worker_threads"); let t = 0; for (let i = 1; i <= 1e5; i++) t += i; parentPort.postMessage(t);', { eval: true });
w.on('message', (m) => {
  console.log('worker', m);
  const server = http.createServer((req, res) => res.end('hello ' + req.url));
  server.listen(0, '127.0.0.1', () => {
    http.get({ host: '127.0.0.1', port: server.address().port, path: '/x' }, (res) => {
      let body = ''; res.on('data', (d) => body += d);
      res.on('end', () => { console.log('http', res.statusCode, body); server.close(); });
    });
  });
});
setTimeout(() => console.log('timer'), 10);
EOF
node n.js
