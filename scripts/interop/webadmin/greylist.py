"""An SMTP server on loopback that answers every MAIL FROM with 451 (a greylister):
the web admin test's remote destination, so that a message waits in the queue.

Usage: greylist.py PORT. Prints "listening on 127.0.0.1:PORT" when ready and one
line "mail N" per MAIL FROM refused (a client may send several on one connection).
"""
import socketserver
import sys


class Greylist(socketserver.StreamRequestHandler):
    refused = 0

    def handle(self):
        self.wfile.write(b"220 greylist.test ESMTP\r\n")
        for line in self.rfile:
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 greylist.test\r\n")
            elif verb == b"MAIL":
                Greylist.refused += 1
                print("mail %d" % Greylist.refused, flush=True)
                self.wfile.write(b"451 4.7.1 greylisted, try again later\r\n")
            elif verb in (b"RSET", b"NOOP"):
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"503 5.5.1 bad sequence\r\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


port = int(sys.argv[1])
with Server(("127.0.0.1", port), Greylist) as server:
    print("listening on 127.0.0.1:%d" % port, flush=True)
    server.serve_forever()
