// A local webhook receiver for bench/events: answers every POST with the status it is set to
// (GET /mode?status=503 changes it), and counts answers by status with the time of the first
// and last 2xx, which GET /stats returns. It does not verify signatures: the events tests do
// that with the standardwebhooks library; here the receiver must cost as little as possible.
import http from "node:http";

const port = Number(process.argv[2]);
let status = Number(process.argv[3] || 204);
const counts = {};
let first = null, last = null;
const ids = new Set();

http.createServer((req, res) => {
  if (req.method === "GET" && req.url.startsWith("/mode")) {
    status = Number(new URL(req.url, "http://x").searchParams.get("status"));
    res.end("ok");
    return;
  }
  if (req.method === "GET" && req.url === "/stats") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ counts, first_ms: first, last_ms: last, distinct_ok: ids.size }));
    return;
  }
  req.resume();
  req.on("end", () => {
    counts[status] = (counts[status] || 0) + 1;
    if (status < 300) {
      const now = performance.now();
      if (first === null) first = now;
      last = now;
      ids.add(req.headers["webhook-id"]);
    }
    res.statusCode = status;
    res.end();
  });
}).listen(port, "127.0.0.1");
