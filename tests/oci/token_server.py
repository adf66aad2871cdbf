#!/usr/bin/env python3
"""A small Docker-registry token server for Skiff's tests (the bearer-token flow).

Answers GET /token?service=S&scope=repository:NAME:ACTIONS... with an RS256-signed JWT that
docker-registry (CNCF Distribution, `auth: token:`) accepts: the key ID is libtrust's fingerprint
of the certificate's public key, which the registry derives from its rootcertbundle. Signing is
done by the openssl command-line tool, so no Python packages are needed.

Users (--user NAME:PASSWORD, repeatable) get every action they ask for; anonymous requests get
"pull" only when --anonymous-pull is given, otherwise 401. Each request is appended to --log as
one JSON line (path, query, user, granted) for the tests to check.
"""
import argparse, base64, hashlib, json, subprocess, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def libtrust_key_id(cert_path):
    pub = subprocess.run(["openssl", "x509", "-in", cert_path, "-pubkey", "-noout"], check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, check=True, capture_output=True).stdout
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", action="append", default=[])
    p.add_argument("--anonymous-pull", action="store_true")
    p.add_argument("--log", required=True)
    a = p.parse_args()
    users = dict(u.split(":", 1) for u in a.user)
    kid = libtrust_key_id(a.cert)
    lock = threading.Lock()

    def sign(claims):
        header = {"typ": "JWT", "alg": "RS256", "kid": kid}
        signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key], input=signing_input,
                             check=True, capture_output=True).stdout
        return signing_input.decode() + "." + b64url(sig)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urlparse(self.path)
            q = parse_qs(url.query)
            user = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    name, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                except Exception:
                    name, pw = "", None
                if users.get(name) != pw:
                    return self.answer(401, {"details": "bad credentials"}, q, None, [])
                user = name
            if url.path != "/token":
                return self.answer(404, {"details": "not found"}, q, user, [])
            if user is None and not a.anonymous_pull:
                return self.answer(401, {"details": "login required"}, q, None, [])
            access = []
            for scope in q.get("scope", []):
                for one in scope.split(" "):
                    kind, _, rest = one.partition(":")
                    name, _, actions = rest.rpartition(":")
                    wanted = [x for x in actions.split(",") if x]
                    granted = wanted if user else [x for x in wanted if x == "pull"]
                    access.append({"type": kind, "name": name, "actions": granted})
            now = int(time.time())
            claims = {"iss": a.issuer, "sub": user or "", "aud": q.get("service", [a.service])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()), "access": access}
            token = sign(claims)
            self.answer(200, {"token": token, "access_token": token, "expires_in": 300}, q, user, access)

        def answer(self, status, body, q, user, access):
            with lock, open(a.log, "a") as f:
                f.write(json.dumps({"status": status, "user": user, "scope": q.get("scope", []),
                                    "service": q.get("service", []), "access": access}) + "\n")
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print("ready", flush=True)
    server.serve_forever()

if __name__ == "__main__":
    main()
