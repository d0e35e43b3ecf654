// t/node/smtp_peer.js - a receiving MX that implements REQUIRETLS (RFC 8689)
//
// SYNOPSIS
//	node t/node/smtp_peer.js LOG ADDR PORT CERT KEY [OPTION...]
//
// DESCRIPTION
//	An SMTP server on ADDR:PORT built with the vendored npm package
//	smtp-server (nodemailer project): STARTTLS with the certificate
//	chain CERT and key KEY, REQUIRETLS advertised after STARTTLS
//	(smtp-server's opt-in: hideREQUIRETLS false). Options:
//	  hide-requiretls	REQUIRETLS is not advertised
//	  no-starttls		STARTTLS is not offered either
//	It appends one line per event to LOG, so tests can tell what the
//	peer saw:
//	  ready
//	  connect ADDR
//	  mail from=<S> requiretls=BOOL secure=BOOL
//	  rcpt to=<R> secure=BOOL
//	  got to=<R>[,<R>...] requiretls=BOOL secure=BOOL bytes=N
//	Every message is accepted (250).
"use strict";

const fs = require("fs");
const path = require("path");
const { SMTPServer } = require(path.join(__dirname, "node_modules", "smtp-server"));

const [logFile, addr, port, cert, key, ...opts] = process.argv.slice(2);
if (!key) {
	console.error("usage: smtp_peer.js LOG ADDR PORT CERT KEY [hide-requiretls] [no-starttls]");
	process.exit(2);
}
const log = (line) => fs.appendFileSync(logFile, line + "\n");
const disabled = ["AUTH"];
if (opts.includes("no-starttls"))
	disabled.push("STARTTLS");

const server = new SMTPServer({
	name: "peer-" + addr,
	banner: "smtp_peer.js",
	key: fs.readFileSync(key),
	cert: fs.readFileSync(cert),
	secure: false,
	authOptional: true,
	disabledCommands: disabled,
	hideREQUIRETLS: opts.includes("hide-requiretls") || opts.includes("no-starttls"),
	logger: false,
	onConnect(session, cb) {
		log("connect " + session.remoteAddress);
		cb();
	},
	onMailFrom(a, session, cb) {
		log(`mail from=<${a.address}> requiretls=${!!session.envelope.requireTLS} secure=${!!session.secure}`);
		cb();
	},
	onRcptTo(a, session, cb) {
		log(`rcpt to=<${a.address}> secure=${!!session.secure}`);
		cb();
	},
	onData(stream, session, cb) {
		let bytes = 0;
		stream.on("data", (d) => { bytes += d.length; });
		stream.on("end", () => {
			const to = session.envelope.rcptTo.map((r) => "<" + r.address + ">").join(",");
			log(`got to=${to} requiretls=${!!session.envelope.requireTLS} secure=${!!session.secure} bytes=${bytes}`);
			cb(null, "Message accepted");
		});
	},
});
server.on("error", (e) => log("error " + e.message));
server.listen(Number(port), addr, () => log("ready"));
process.on("SIGTERM", () => process.exit(0));
