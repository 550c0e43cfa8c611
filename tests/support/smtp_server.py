#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd): stores every message it accepts as
an .eml file in a folder, and refuses recipients whose address contains "refused"
with a permanent 550.

Usage: smtp_server.py PORT FOLDER [DELAY]   (prints "ready" once listening; stops on
SIGTERM). DELAY seconds are spent before accepting each recipient, as a slow relay
would: a client that dies meanwhile has delivered nothing.
"""
import asyncio
import os
import signal
import sys
import threading
import time
import uuid

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self, folder, delay=0.0):
        self.folder = folder
        self.delay = delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            await asyncio.sleep(self.delay)
        if "refused" in address:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = "%d-%s.eml" % (time.time_ns(), uuid.uuid4().hex)
        tmp = os.path.join(self.folder, name + ".part")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Mailbox(folder, delay), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
