#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for tests: stores each message as DIR/<n>.eml.

usage: smtp_sink.py PORT DIR    (prints "ready" once it listens on 127.0.0.1:PORT)
"""
import asyncio
import itertools
import pathlib
import sys

from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
counter = itertools.count(1)


class Store:
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        text = f"X-Rcpt-To: {','.join(envelope.rcpt_tos)}\n" + envelope.content.decode("utf-8", "replace")
        (out / f"{n}.tmp").write_text(text)
        (out / f"{n}.tmp").rename(out / f"{n}.eml")
        return "250 OK"


controller = Controller(Store(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
try:
    asyncio.get_event_loop().run_forever()
finally:
    controller.stop()
