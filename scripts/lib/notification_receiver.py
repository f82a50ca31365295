"""A webhook receiver on loopback for the demo: checks each notification's signature,
deduplicates by delivery id, and appends one readable line per notification to a file.

Usage: notification_receiver.py PORT LOG SECRET
"""
import hashlib
import hmac
import http.server
import json
import sys

port, log, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
seen = set()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Shiplog-Signature-256", "")):
            self.send_response(401)
            self.end_headers()
            return
        delivery = self.headers.get("X-Shiplog-Delivery", "")
        if delivery not in seen:
            seen.add(delivery)
            note = json.loads(body)
            fields = [f"{key}={note[key]}" for key in ("app", "environment", "tag", "actor", "outcome", "reason", "rollback_target") if key in note]
            with open(log, "a") as out:
                out.write(f"{delivery} {self.headers.get('X-Shiplog-Event')} (signature ok): {' '.join(fields)}\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
