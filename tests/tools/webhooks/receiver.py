"""A webhook receiver that verifies every delivery with the PyPI standardwebhooks library.

Listens on 127.0.0.1 (port 0 unless PORT is set) and prints its port on the first line.
Each path is a receiver of its own, configured by the test:

  POST /_config {"path": "/a", "secrets": ["whsec_..."], "fail_first": 3, "status": 200}
      every delivery to /a is checked against each secret separately (so a test sees which
      secrets signed it); the first `fail_first` deliveries answer 500, the rest `status`.
  GET /_log      every delivery so far: path, webhook-id, the secrets (by index) whose
                 verification passed, the answer given, and the parsed body.
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

LOCK = threading.Lock()
CONFIG = {}
COUNTS = {}
LOG = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                body = json.dumps(LOG).encode()
            self.reply(200, body)
        else:
            self.reply(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path == "/_config":
            cfg = json.loads(raw)
            with LOCK:
                CONFIG[cfg["path"]] = cfg
                COUNTS[cfg["path"]] = 0
            self.reply(204)
            return
        with LOCK:
            cfg = CONFIG.get(self.path, {"secrets": [], "fail_first": 0, "status": 200})
        headers = {k.lower(): v for k, v in self.headers.items()}
        verified = []
        for i, secret in enumerate(cfg.get("secrets", [])):
            try:
                Webhook(secret).verify(raw, headers)
                verified.append(i)
            except Exception:  # a signature that does not verify with this secret
                pass
        with LOCK:
            COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
            n = COUNTS[self.path]
            status = 500 if n <= cfg.get("fail_first", 0) else cfg.get("status", 200)
            if not verified and cfg.get("secrets"):
                status = 401
            LOG.append({
                "path": self.path,
                "webhook_id": headers.get("webhook-id"),
                "verified": verified,
                "signatures": len(headers.get("webhook-signature", "").split(" ")),
                "answer": status,
                "body": json.loads(raw) if raw else None,
            })
        self.reply(status)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "0"))), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
