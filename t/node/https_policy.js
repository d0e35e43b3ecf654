// t/node/https_policy.js - an MTA-STS policy server (RFC 8461 3.3) for tests
//
// SYNOPSIS
//	node t/node/https_policy.js LOG ADDR PORT CERT KEY DIR
//
// DESCRIPTION
//	HTTPS on ADDR:PORT with the certificate chain CERT and key KEY (node's
//	own https module, no npm package). GET /.well-known/mta-sts.txt with
//	Host mta-sts.DOMAIN answers the file DIR/DOMAIN.txt as text/plain,
//	or 404 when there is none. Appends "ready" and one line per request,
//	"get HOST PATH STATUS", to LOG.
"use strict";

const fs = require("fs");
const https = require("https");
const path = require("path");

const [logFile, addr, port, cert, key, dir] = process.argv.slice(2);
const log = (line) => fs.appendFileSync(logFile, line + "\n");

const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
	const host = String(req.headers.host || "").replace(/:\d+$/, "").toLowerCase();
	const file = path.join(dir, host.replace(/^mta-sts\./, "") + ".txt");
	let status = 404;
	if (req.method === "GET" && req.url === "/.well-known/mta-sts.txt" && /^mta-sts\.[a-z0-9.-]+$/.test(host)
	    && fs.existsSync(file)) {
		status = 200;
		res.writeHead(200, { "Content-Type": "text/plain" });
		res.end(fs.readFileSync(file));
	} else {
		res.writeHead(404, { "Content-Type": "text/plain" });
		res.end("not found\n");
	}
	log(`get ${host} ${req.url} ${status}`);
});
server.listen(Number(port), addr, () => log("ready"));
process.on("SIGTERM", () => process.exit(0));
