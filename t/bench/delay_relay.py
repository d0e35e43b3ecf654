#!/usr/bin/python3
# t/bench/delay_relay.py - a TCP relay that delays every chunk by DELAY ms
# in each direction (a round trip of 2 x DELAY), order kept; the stand-in
# for `tc netem` where the kernel has no sch_netem.
#
# SYNOPSIS
#	delay_relay.py LISTEN_PORT TARGET_PORT DELAY_MS READY_FILE
# DESCRIPTION
#	Listens on 127.0.0.1:LISTEN_PORT; each connection is relayed to
#	127.0.0.1:TARGET_PORT. Bytes read at time t are written at t + DELAY
#	(a writer per direction), so commands sent before the banner arrives
#	reach the server early, as on a real link. READY_FILE is created once
#	it listens. Runs until killed.
import asyncio, sys, time

LPORT, TPORT, DELAY = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000.0


async def pump(reader, writer):
    q = asyncio.Queue()

    async def out():
        while True:
            due, data = await q.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                writer.close()
                return
            writer.write(data)
            await writer.drain()

    task = asyncio.ensure_future(out())
    while True:
        data = await reader.read(65536)
        q.put_nowait((time.monotonic() + DELAY, data))
        if not data:
            break
    await task


async def handle(cr, cw):
    try:
        sr, sw = await asyncio.open_connection("127.0.0.1", TPORT)
    except OSError:
        cw.close()
        return
    await asyncio.gather(pump(cr, sw), pump(sr, cw), return_exceptions=True)


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LPORT)
    open(sys.argv[4], "w").close()
    async with server:
        await server.serve_forever()

asyncio.run(main())
