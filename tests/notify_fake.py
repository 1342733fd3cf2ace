#!/usr/bin/env python3
"""Fake notification endpoints on loopback for tests/integ/notify.sh.

One HTTP server plays the Telegram Bot API (/bot<TOKEN>/sendMessage), an
SMS gateway (/sms...) and webhook receivers (any other path); two SMTP
sinks take mail, one plain with AUTH, one offering STARTTLS with the given
certificate.  Everything received is recorded; GET /_log returns it as a
JSON array.  POST /_mode {"prefix": "/bot", "mode": "429", "count": 1,
"retry_after": 2} makes the next matching requests answer 429 (or "500",
"400", "hang" that never answers, "ok").  Prints one JSON line with the
ports, then serves until killed.
"""
import base64
import hashlib
import hmac
import json
import socket
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
LOG = []
MODES = []          # [{"prefix", "mode", "count", "retry_after"}]
SECRET = b""
SMTP_USER = "u"
SMTP_PASS = "p"


def record(entry):
    entry["t"] = time.time()
    with LOCK:
        LOG.append(entry)


def take_mode(path):
    with LOCK:
        for m in MODES:
            if path.startswith(m["prefix"]) and m["count"] != 0:
                if m["count"] > 0:
                    m["count"] -= 1
                return m
    return None


class Http(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                self.reply(200, LOG)
            return
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.path == "/_mode":
            m = json.loads(body)
            m.setdefault("count", -1)
            m.setdefault("retry_after", 1)
            with LOCK:
                MODES.insert(0, m)
            self.reply(200, {"ok": True})
            return
        if self.path == "/_reset":
            with LOCK:
                MODES.clear()
            self.reply(200, {"ok": True})
            return
        sig = self.headers.get("X-Phalanx-Signature")
        want = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        entry = {"path": self.path, "body": body.decode("utf-8", "replace"),
                 "len": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                 "headers": {k.lower(): v for k, v in self.headers.items()},
                 "sig_ok": sig is not None and hmac.compare_digest(sig, want)}
        mode = take_mode(self.path)
        kind = mode["mode"] if mode else "ok"
        entry["answer"] = kind
        record(entry)
        tg = self.path.startswith("/bot")
        if kind == "hang":
            # Never answer: hold the connection until the client gives up.
            try:
                while self.rfile.read(1):
                    pass
            except OSError:
                pass
            return
        if kind == "429":
            ra = int(mode["retry_after"])
            if tg:
                self.reply(429, {"ok": False, "error_code": 429,
                                 "description": "Too Many Requests: retry "
                                 "after %d" % ra,
                                 "parameters": {"retry_after": ra}})
            else:
                self.reply(429, {"error": "slow down"},
                           {"Retry-After": str(ra)})
            return
        if kind == "500":
            self.reply(500, {"ok": False, "error_code": 500,
                             "description": "Internal Server Error"})
            return
        if kind == "400":
            self.reply(400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: chat not found"})
            return
        if tg:
            self.reply(200, {"ok": True, "result": {"message_id": len(LOG)}})
        else:
            self.reply(201 if self.path.startswith("/sms") else 200,
                       {"ok": True})


class Smtp(socketserver.StreamRequestHandler):
    tls_ctx = None

    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def readline(self):
        line = self.rfile.readline(65536)
        if not line:
            raise EOFError
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def starttls(self):
        self.send("220 go ahead")
        self.request = self.tls_ctx.wrap_socket(self.request,
                                                server_side=True)
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb")
        self.tls = True

    def handle(self):
        self.tls = False
        user = None
        mail = {"smtp": True, "rcpt": []}
        self.send("220 fake ESMTP")
        try:
            while True:
                line = self.readline()
                cmd = line[:4].upper()
                if cmd in ("EHLO", "HELO"):
                    self.wfile.write(b"250-fake\r\n")
                    if self.tls_ctx is not None and not self.tls:
                        self.wfile.write(b"250-STARTTLS\r\n")
                    self.send("250 AUTH PLAIN LOGIN")
                elif line.upper() == "STARTTLS" and self.tls_ctx:
                    self.starttls()
                elif line.upper() == "STARTTLS":
                    self.send("454 TLS not available")
                elif cmd == "AUTH":
                    parts = line.split()
                    if parts[1].upper() == "PLAIN":
                        if len(parts) > 2:
                            raw = parts[2]
                        else:
                            self.send("334 ")
                            raw = self.readline()
                        _, u, p = base64.b64decode(raw).decode().split("\0")
                    else:
                        self.send("334 VXNlcm5hbWU6")
                        u = base64.b64decode(self.readline()).decode()
                        self.send("334 UGFzc3dvcmQ6")
                        p = base64.b64decode(self.readline()).decode()
                    if u == SMTP_USER and p == SMTP_PASS:
                        user = u
                        self.send("235 ok")
                    else:
                        self.send("535 bad credentials")
                elif cmd == "MAIL":
                    if user is None:
                        self.send("530 authentication required")
                        continue
                    mail["from"] = line[10:]
                    self.send("250 ok")
                elif cmd == "RCPT":
                    mail["rcpt"].append(line[8:])
                    self.send("250 ok")
                elif cmd == "DATA":
                    self.send("354 end with .")
                    data = []
                    while True:
                        ln = self.readline()
                        if ln == ".":
                            break
                        data.append(ln[1:] if ln.startswith("..") else ln)
                    mail.update({"data": "\r\n".join(data), "tls": self.tls,
                                 "auth": user})
                    record(mail)
                    mail = {"smtp": True, "rcpt": []}
                    self.send("250 queued")
                elif cmd == "QUIT":
                    self.send("221 bye")
                    return
                else:
                    self.send("250 ok")
        except (EOFError, OSError, ssl.SSLError):
            return


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global SECRET
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    SECRET = args.get("--secret", "").encode()
    http = ThreadingHTTPServer(("127.0.0.1", 0), Http)
    http.daemon_threads = True
    smtp = SmtpServer(("127.0.0.1", 0), Smtp)
    ports = {"http": http.server_address[1], "smtp": smtp.server_address[1]}
    servers = [http, smtp]
    if "--cert" in args:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args["--cert"], args["--key"])

        class TlsSmtp(Smtp):
            tls_ctx = ctx
        tls = SmtpServer(("127.0.0.1", 0), TlsSmtp)
        ports["smtptls"] = tls.server_address[1]
        servers.append(tls)
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(json.dumps(ports), flush=True)
    http.serve_forever()


if __name__ == "__main__":
    socket.setdefaulttimeout(60)
    main()
