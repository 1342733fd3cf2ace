#!/usr/bin/env python3
"""Open-loop HTTP load for the webhook bench: POST one body to a URL at a
fixed rate over keep-alive connections, each request timed from its
scheduled send to its answer (so a slow server is charged for the wait it
causes).  BODY_FILE may be several files separated by commas: the
requests take them in turn.  Prints "sent N ok N p50_us X p99_us Y max_us Z"."""
import asyncio
import sys
import time

def request(host, path, body):
    return ("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (path, host, len(body))).encode() + body

async def conn_loop(host, port, queue, lat, codes):
    reader, writer = await asyncio.open_connection(host, port)
    while True:
        item = await queue.get()
        if item is None:
            break
        t0, req = item
        writer.write(req)
        status = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        lat.append((time.perf_counter() - t0) * 1e6)
        codes.append(int(status.split()[1]))
    writer.close()

async def main():
    url, rate, secs, nconn, body_file = sys.argv[1], float(sys.argv[2]), \
        float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    bodies = [open(f, "rb").read() for f in body_file.split(",")]
    rest = url.split("://", 1)[1]
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    queue = asyncio.Queue()
    lat, codes = [], []
    reqs = [request(host, "/" + path, b) for b in bodies]
    tasks = [asyncio.create_task(conn_loop(host, int(port), queue, lat,
             codes)) for _ in range(nconn)]
    n = int(rate * secs)
    start = time.perf_counter()
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, reqs[i % len(reqs)]))
    for _ in tasks:
        queue.put_nowait(None)
    await asyncio.gather(*tasks)
    lat.sort()
    ok = sum(1 for c in codes if c == 200)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print("sent %d ok %d p50_us %d p99_us %d max_us %d" % (len(lat), ok,
          p(0.50), p(0.99), lat[-1]))

asyncio.run(main())
