#!/usr/bin/env python3
"""A scripted HTTP server standing in for a misbehaving registry in Skiff's tests.

--routes FILE is JSON: {"METHOD /path": [response, ...]} where each request to that route takes
the next response (the last one repeats). A response is
  {"status": 200, "headers": {...}, "body_b64": "...", "truncate": N, "ranges": true}
with "truncate" sending the full Content-Length but only N body bytes before closing the
connection (a dropped download), "stall" sending N body bytes and then nothing for a minute
(a client killed mid-download), and "ranges" answering `Range: bytes=N-` with 206 and the
rest of the body. Paths may end in "*" to match a prefix. With --basic USER:PASS,
requests to /v2/ paths without those credentials get 401 and a Basic challenge. Every request is
appended to --log as a JSON line: method, path, headers.
"""
import argparse, base64, json, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--routes", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--basic")
    a = p.parse_args()
    routes = json.load(open(a.routes))
    counts = {}
    lock = threading.Lock()
    expected_auth = "Basic " + base64.b64encode(a.basic.encode()).decode() if a.basic else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path
            with lock, open(a.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": path, "headers": dict(self.headers.items())}) + "\n")
            if expected_auth and path.startswith("/v2/") and self.headers.get("Authorization") != expected_auth:
                return self.reply({"status": 401, "headers": {"WWW-Authenticate": 'Basic realm="fake"'}})
            key = self.command + " " + path.split("?")[0]
            responses = routes.get(key)
            if responses is None:
                for pattern, rs in routes.items():
                    if pattern.endswith("*") and key.startswith(pattern[:-1]):
                        responses = rs
                        break
            if responses is None:
                return self.reply({"status": 404, "body_b64": base64.b64encode(
                    b'{"errors":[{"code":"NOT_FOUND","message":"no route"}]}').decode()})
            with lock:
                i = counts.get(key, 0)
                counts[key] = i + 1
            self.reply(responses[min(i, len(responses) - 1)])

        def reply(self, r):
            body = base64.b64decode(r.get("body_b64", ""))
            status = r.get("status", 200)
            headers = dict(r.get("headers", {}))
            wanted = self.headers.get("Range", "")
            if r.get("ranges") and wanted.startswith("bytes=") and wanted.endswith("-"):
                start = int(wanted[6:-1])
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(body) - 1, len(body))
                body, status = body[start:], 206
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            if "truncate" in r:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            if "stall" in r:
                self.wfile.write(body[:r["stall"]])
                self.wfile.flush()
                time.sleep(60)
                self.close_connection = True
                return
            if "truncate" in r:
                self.wfile.write(body[:r["truncate"]])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print("ready", flush=True)
    server.serve_forever()

if __name__ == "__main__":
    main()
