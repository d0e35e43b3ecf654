// t/node/smtp_send.js - an MTA handing one message to mxguard-outbound
//
// SYNOPSIS
//	node t/node/smtp_send.js PORT FROM TO[,TO...] [OPTION...] < MESSAGE
//
// DESCRIPTION
//	Connects to 127.0.0.1:PORT, says LHLO (or EHLO with "smtp"), and
//	with "starttls" switches to TLS (any certificate: the proxy's own is
//	self-signed) and says LHLO/EHLO again; then MAIL FROM:<FROM> (with
//	REQUIRETLS when "requiretls" is given), one RCPT TO per recipient
//	and, when one was accepted, DATA with the message read from standard
//	input (LF lines sent as CRLF, dot-stuffed). Each reply is printed on
//	standard output after the command, one line per reply line:
//	  EHLO: 250-...
//	  MAIL: 250 2.1.0 Ok
//	  RCPT <to>: 250 ...
//	  DONE <to>: 250 ...	(after the final dot; LMTP: one per accepted
//				 recipient, SMTP: one)
//	Exits 0 when the conversation ran to its end, 1 on a connection or
//	TLS error.
"use strict";

const net = require("net");
const tls = require("tls");

const [port, from, toList, ...opts] = process.argv.slice(2);
const lmtp = !opts.includes("smtp");
const rcpts = (toList || "").split(",").filter((x) => x);
let sock, buf = "", waiting = null;

function onData(d) {
	buf += d.toString("latin1");
	pump();
}

// pump - hand a complete reply (all lines up to "NNN ") to the waiter
function pump() {
	if (!waiting)
		return;
	const lines = [];
	let rest = buf;
	for (;;) {
		const nl = rest.indexOf("\n");
		if (nl < 0)
			return;
		const line = rest.slice(0, nl).replace(/\r$/, "");
		rest = rest.slice(nl + 1);
		lines.push(line);
		if (!/^\d{3}-/.test(line))
			break;
	}
	buf = rest;
	const w = waiting;
	waiting = null;
	w(lines);
}

function reply() {
	return new Promise((resolve) => { waiting = resolve; pump(); });
}

async function cmd(tag, line) {
	if (line !== null)
		sock.write(line + "\r\n");
	const r = await reply();
	for (const l of r)
		console.log(tag + ": " + l);
	return r;
}

function code(r) {
	return Number(r[r.length - 1].slice(0, 3));
}

async function main() {
	sock = net.connect(Number(port), "127.0.0.1");
	sock.on("data", onData);
	sock.on("error", (e) => { console.log("ERROR: " + e.message); process.exit(1); });
	await cmd("BANNER", null);
	const hello = (lmtp ? "LHLO" : "EHLO") + " mta.bed.test";
	await cmd("EHLO", hello);
	if (opts.includes("starttls")) {
		const r = await cmd("STARTTLS", "STARTTLS");
		if (code(r) !== 220)
			process.exit(1);
		sock.removeListener("data", onData);
		sock = tls.connect({ socket: sock, rejectUnauthorized: false });
		await new Promise((resolve, reject) => {
			sock.once("secureConnect", resolve);
			sock.once("error", reject);
		});
		sock.on("data", onData);
		await cmd("EHLO", hello);
	}
	const m = await cmd("MAIL", `MAIL FROM:<${from}>` + (opts.includes("requiretls") ? " REQUIRETLS" : ""));
	let accepted = [];
	if (code(m) === 250) {
		for (const to of rcpts)
			if (code(await cmd("RCPT <" + to + ">", `RCPT TO:<${to}>`)) < 300)
				accepted.push(to);
	}
	if (accepted.length > 0) {
		const d = await cmd("DATA", "DATA");
		if (code(d) === 354) {
			let msg = require("fs").readFileSync(0, "latin1").replace(/\r?\n/g, "\r\n");
			if (!msg.endsWith("\r\n"))
				msg += "\r\n";
			msg = msg.replace(/^\./gm, "..");
			sock.write(msg + ".\r\n");
			for (const to of lmtp ? accepted : [accepted.join(",")])
				await cmd("DONE <" + to + ">", null);
		}
	}
	await cmd("QUIT", "QUIT");
	sock.end();
}

main().catch((e) => { console.log("ERROR: " + e.message); process.exit(1); });
