// SPDX-License-Identifier: MIT
// The web page in headless Chromium (/usr/bin/chromium via playwright-core)
// against the real daemon ($CONVERGD) and a raw Telnet session on the
// console port: a fader moved on the page reaches Telnet as a bare report,
// a mute set over Telnet shows on the page without a reload, a bad static
// netmask is refused with the error next to the field, the simulated
// signal on mic 1 moves its meter and lights its gate and muting it drops
// the meter, a line input pushed into clipping shows CLIP and the engine's
// clipping event. Screenshots of each page at desktop and phone widths go
// to BUILD_DIR/test-output/screenshots.
// CONVERGD_BROWSER_TLS=1 runs it all over HTTPS: stunnel in front on a
// loopback port as the package's convergd-https service, plain HTTP
// redirected (test_web_browser_https.sh).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
// screenshots are test output: into the build tree that runs the test
const outDir = process.env.BUILD_DIR
	? path.join(process.env.BUILD_DIR, "test-output", "screenshots")
	: path.resolve(here, "..", "out");
const results = [];
const overTls = process.env.CONVERGD_BROWSER_TLS === "1";
let daemon, context, telnet, tls;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "convergd-browser-"));

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once("error", reject);
		s.listen(0, "127.0.0.1", () => {
			const p = s.address().port;
			s.close(() => resolve(p));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(fn, what, ms = 5000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error("timed out waiting for " + what);
		await sleep(50);
	}
}

async function startDaemon(webPort, consolePort, webExtra = "") {
	const conf = path.join(tmp, "convergd.conf");
	fs.writeFileSync(conf, `[unit]
model = 880TA
device_id = 0
firmware = 4.4.0.2
state_file = ${tmp}/state.json
spool_dir = ${tmp}/spool
[log]
level = info
target = stderr
[engine]
enabled = yes
meter_interval_ms = 50
[console]
enabled = yes
bind = 127.0.0.1
port = ${consolePort}
[web]
enabled = yes
bind = 127.0.0.1
port = ${webPort}
${webExtra}`);
	const log = fs.openSync(path.join(tmp, "daemon.log"), "w");
	daemon = spawn(process.env.CONVERGD, ["-f", "-c", conf],
	    { cwd: tmp, stdio: ["ignore", log, log] });
	await waitFor(async () => {
		try {
			const r = await fetch(`http://127.0.0.1:${webPort}/`,
			    { redirect: "manual" });
			return r.status === 200 || r.status === 301;
		} catch (e) { return false; }
	}, "the web port", 10000);
}

// stunnel on httpsPort -> tlsPort with a throw-away certificate.
async function startTls(httpsPort, tlsPort) {
	const cert = path.join(tmp, "cert.pem"), key = path.join(tmp, "key.pem");
	const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec",
	    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
	    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert]);
	if (made.status !== 0)
		throw new Error("openssl: " + made.stderr);
	const conf = path.join(tmp, "stunnel.conf");
	fs.writeFileSync(conf, `foreground = yes
syslog = no
pid =
[https]
accept = 127.0.0.1:${httpsPort}
connect = 127.0.0.1:${tlsPort}
cert = ${cert}
key = ${key}
`);
	const log = fs.openSync(path.join(tmp, "stunnel.log"), "w");
	tls = spawn("stunnel4", [conf], { stdio: ["ignore", log, log] });
	await waitFor(() => new Promise((resolve) => {
		const s = net.connect(httpsPort, "127.0.0.1");
		s.on("connect", () => { s.destroy(); resolve(true); });
		s.on("error", () => resolve(false));
	}), "stunnel", 10000);
}

// A raw TCP Telnet session logged in as protocol.md §1.1 describes.
class Telnet {
	constructor(port) {
		this.buf = "";
		this.sock = net.connect(port, "127.0.0.1");
		this.sock.setEncoding("latin1");
		this.sock.on("data", (d) => { this.buf += d; });
		this.sock.on("error", () => {});
	}
	async expect(re, what, ms = 5000) {
		return waitFor(() => re.test(this.buf), what, ms);
	}
	send(line) { this.sock.write(line + "\r"); }
	lines() { return this.buf.split("\r\n"); }
	async login() {
		await this.expect(/user: $/, "user prompt");
		this.send("clearone");
		await this.expect(/pass: $/, "password prompt");
		this.send("converge");
		await this.expect(/Level: Administrator\r\n/, "login");
		this.buf = "";
	}
}

async function test(name, fn) {
	try {
		await fn();
		results.push([name, true]);
		console.log("ok " + name);
	} catch (e) {
		results.push([name, false]);
		console.log("FAIL " + name + ": " + (e && e.stack || e));
	}
}

async function shot(page, name, fullPage = true) {
	await page.screenshot({ path: path.join(outDir, name + ".png"),
	    fullPage });
}

async function login(page, base) {
	await page.goto(base + "/");
	await page.waitForSelector("#login:not([hidden])");
	await shot(page, "desktop-login");
	await page.fill("#login-user", "clearone");
	await page.fill("#login-pass", "converge");
	await page.click("#login-form button[type=submit]");
	await page.waitForSelector("#page-status:not([hidden])");
	await page.waitForSelector("#services tbody tr");
	await page.waitForSelector("#live:not(.off)");
}

async function main() {
	fs.mkdirSync(outDir, { recursive: true });
	const webPort = await freePort(), consolePort = await freePort();
	let base = `http://127.0.0.1:${webPort}`;
	if (overTls) {
		const tlsPort = await freePort(), httpsPort = await freePort();
		await startDaemon(webPort, consolePort, `tls_port = ${tlsPort}
https_port = ${httpsPort}
https_redirect = yes
`);
		await startTls(httpsPort, tlsPort);
		base = `https://127.0.0.1:${httpsPort}`;
		// this script's own fetch() calls: the throw-away certificate
		process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
	} else {
		await startDaemon(webPort, consolePort);
	}
	telnet = new Telnet(consolePort);
	await telnet.login();
	context = await chromium.launchPersistentContext(
	    path.join(tmp, "profile"), {
		executablePath: "/usr/bin/chromium",
		headless: true,
		args: ["--headless", "--no-sandbox", "--disable-gpu",
		    "--disable-quic", "--no-first-run",
		    "--disable-background-networking",
		    "--disable-component-update", "--disable-sync"],
		viewport: { width: 1280, height: 900 },
		ignoreHTTPSErrors: overTls,
	});
	const page = context.pages()[0] || await context.newPage();
	const pageErrors = [];
	page.on("pageerror", (e) => pageErrors.push(String(e)));

	await test("login_shows_status_with_default_password_warning",
	    async () => {
		await login(page, base);
		const warn = await page.textContent("#warnings");
		if (!/factory login/.test(warn))
			throw new Error("no default-password warning: " + warn);
		const id = await page.textContent("#identity");
		if (!/880TA/.test(id) || !/#H0/.test(id))
			throw new Error("identity: " + id);
		/* DHCP on, no interface in the test config: no lease held */
		const net = await page.textContent("#network");
		if (!/DHCP lease\s*none/.test(net))
			throw new Error("network card: " + net);
		await shot(page, "desktop-status");
	});

	await test("network_card_shows_the_whole_lease", async () => {
		/* a lease needs a DHCP server on a real interface: the
		 * daemon's status is given one here (docs/api.md's fields) */
		const lease = { server: "10.77.0.1", address: "10.77.0.130",
		    mask: "255.255.255.0", router: "10.77.0.9",
		    routers: ["10.77.0.1", "10.77.0.9"], dns: ["10.77.0.53",
		    "10.77.0.54"], domain: "ex.test",
		    obtained: "2027-01-15T08:00:00Z",
		    t1: "2027-01-15T08:01:00Z", t2: "2027-01-15T08:01:45Z",
		    expires: "2027-01-15T08:02:00Z", received: 2, ignored: 0 };
		await page.route("**/api/v1/status", async (route) => {
			const r = await route.fetch();
			const j = await r.json();
			j.network.lease = lease;
			await route.fulfill({ response: r, json: j });
		});
		try {
			await page.reload();
			await page.waitForSelector("#page-status:not([hidden])");
			const net = await waitFor(async () => {
				const t = await page.textContent("#network");
				return /Expires/.test(t) && t;
			}, "the lease on the Network card");
			for (const want of [
			    /DHCP lease\s*10\.77\.0\.130 \/ 255\.255\.255\.0 from 10\.77\.0\.1/,
			    /Router in use\s*10\.77\.0\.9/,
			    /Routers offered\s*10\.77\.0\.1, 10\.77\.0\.9/,
			    /Lease DNS\s*10\.77\.0\.53, 10\.77\.0\.54/,
			    /Lease domain\s*ex\.test/,
			    /Renews \(T1\)\s*2027-01-15 08:01:00Z/,
			    /Rebinds \(T2\)\s*2027-01-15 08:01:45Z/,
			    /Expires\s*2027-01-15 08:02:00Z/])
				if (!want.test(net))
					throw new Error(`network card: no ${want}: ` +
					    net);
			await shot(page, "desktop-status-lease");
		} finally {
			await page.unroute("**/api/v1/status");
			await page.reload();
			await page.waitForSelector("#live:not(.off)");
		}
	});
	if (overTls) {
		await test("https_session_cookie_is_secure", async () => {
			const c = (await context.cookies(base)).find((x) =>
			    x.name === "convergd_session");
			if (!c || !c.secure)
				throw new Error("cookie: " + JSON.stringify(c));
		});
		await test("plain_http_is_redirected_to_https", async () => {
			await page.goto(`http://127.0.0.1:${webPort}/#status`);
			await page.waitForSelector("#page-status:not([hidden])");
			if (!page.url().startsWith(base + "/"))
				throw new Error("landed on " + page.url());
		});
	}

	await test("fader_move_reaches_telnet_as_bare_report", async () => {
		await page.goto(base + "/#control");
		const fader = page.locator('.strip[data-key="I:0"] input');
		await fader.waitFor();
		await fader.focus();
		for (let i = 0; i < 4; i++)
			await page.keyboard.press("ArrowLeft");
		// 4 steps of 0.5 dB down from 0: the last report is -2.00.
		await telnet.expect(/(^|\r\n)#H0 GAIN 1 I -2\.00 A\r\n/,
		    "bare GAIN report on Telnet");
		const own = telnet.lines().filter((l) => l.startsWith("OK>"));
		if (own.length)
			throw new Error("Telnet got another session's reply: " +
			    own[0]);
		await shot(page, "desktop-control");
	});

	await test("telnet_mute_updates_page_without_reload", async () => {
		await page.evaluate(() => { window.__noReload = 42; });
		const btn = page.locator('.strip[data-key="O:1"] .mute');
		if (await btn.getAttribute("aria-pressed") !== "false")
			throw new Error("output 2 already muted");
		telnet.send("#H0 MUTE 2 O 1");
		await telnet.expect(/OK> #H0 MUTE 2 O 1\r\n/, "Telnet reply");
		await waitFor(async () => await btn.getAttribute("aria-pressed") ===
		    "true", "mute on the page");
		if (await page.evaluate(() => window.__noReload) !== 42)
			throw new Error("the page reloaded");
	});

	await test("matrix_click_routes_and_reaches_telnet", async () => {
		const cell = page.locator('#matrix td[data-x="0:0"]');
		if ((await cell.textContent()) !== "")
			throw new Error("I1 -> O1 already routed");
		await cell.click();
		// Input 1 is a mic on the 880TA: routed gated (4).
		await telnet.expect(/(^|\r\n)#H0 MTRX 1 I 1 O 4\r\n/,
		    "bare MTRX report on Telnet");
		await waitFor(async () => (await cell.textContent()) === "●",
		    "the crosspoint lit on the page");
	});

	await test("mic_signal_moves_meter_and_lights_gate", async () => {
		await page.goto(base + "/#control");
		const s = page.locator('.strip[data-key="I:0"]');
		await s.locator(".meter").waitFor();
		// only groups on screen get meters: the matrix test scrolled
		await s.scrollIntoViewIfNeeded();
		// The engine's simulated talker on mic 1: gate open, level up.
		await waitFor(async () => s.evaluate((e) =>
		    e.querySelector(".gate").classList.contains("on") &&
		    Number(e.querySelector(".meter").dataset.db) > -45),
		    "mic 1's gate lit with its meter above -45 dBFS", 30000);
		const pos = await s.evaluate((e) =>
		    e.querySelector(".meter-fill").style.clipPath);
		if (!/^inset\(0px [\d.]+% 0px 0px\)$/.test(pos) ||
		    pos === "inset(0px 100% 0px 0px)")
			throw new Error("meter bar not drawn: " + pos);
		await shot(page, "desktop-meters");
		const asked = await page.evaluate(() => JSON.parse(
		    app.metersAsked));
		if (!asked.on || asked.rate_hz !== 20 ||
		    !asked.groups.includes("I"))
			throw new Error("subscription: " + JSON.stringify(asked));
	});

	await test("mute_drops_the_meter", async () => {
		const m = page.locator('.strip[data-key="I:0"] .meter');
		telnet.send("#H0 MUTE 1 I 1");
		await telnet.expect(/OK> #H0 MUTE 1 I 1\r\n/, "Telnet reply");
		await waitFor(async () => await m.getAttribute("data-db") ===
		    "-99.99", "mic 1's meter at -99.99 once muted");
		const pos = await m.evaluate((e) =>
		    e.querySelector(".meter-fill").style.clipPath);
		if (pos !== "inset(0px 100% 0px 0px)")
			throw new Error("muted meter still drawn: " + pos);
		telnet.send("#H0 MUTE 1 I 0");
		await telnet.expect(/OK> #H0 MUTE 1 I 0\r\n/, "Telnet reply");
	});

	await test("clipping_shows_clip_and_the_engine_event", async () => {
		// Line input 9 at +20 dB: its -30..-18 dBFS signal clips.
		telnet.send("#H0 GAIN 9 I 20 A");
		await telnet.expect(/OK> #H0 GAIN 9 I 20\.00 A\r\n/,
		    "Telnet reply");
		const s = page.locator('.strip[data-key="I:8"]');
		await s.scrollIntoViewIfNeeded();
		await waitFor(async () => s.evaluate((e) =>
		    e.querySelector(".clip").classList.contains("on")),
		    "CLIP lit on input 9", 30000);
		await waitFor(async () => /Clipping: audio clipping on/.test(
		    await page.textContent("#clip-log")),
		    "the engine's clipping event on the Control page", 10000);
		await shot(page, "desktop-meters-clip");
		const st = await page.evaluate(async () =>
		    (await fetch("/api/v1/status")).json());
		if (!st.events.some((e) => e.category === 15 &&
		    /audio clipping/.test(e.text)))
			throw new Error("clipping not in the event log");
		telnet.send("#H0 GAIN 9 I 0 A");
		await telnet.expect(/OK> #H0 GAIN 9 I 0\.00 A\r\n/,
		    "Telnet reply");
	});

	await test("meters_stop_when_control_is_left", async () => {
		await page.goto(base + "/#status");
		await page.waitForSelector("#page-status:not([hidden])");
		await waitFor(async () => page.evaluate(() =>
		    JSON.parse(app.metersAsked).on === false),
		    "meters turned off on the Status page");
	});

	await test("bad_static_mask_shows_error_and_changes_nothing",
	    async () => {
		await page.goto(base + "/#settings");
		await page.waitForSelector('form[data-section="network"]');
		const form = page.locator('form[data-section="network"]');
		await page.uncheck("#set-network\\.dhcp");
		await page.fill("#set-network\\.address", "192.168.1.50");
		await page.fill("#set-network\\.mask", "255.255.0.255");
		await form.locator("button[type=submit]").click();
		const fe = form.locator('.field-error[data-for="network.mask"]');
		await waitFor(async () => /netmask/.test(await fe.textContent()),
		    "mask error next to the field");
		const msg = await form.locator("p.error").textContent();
		if (!/nothing was changed/.test(msg))
			throw new Error("form error: " + msg);
		const r = await page.evaluate(async () =>
		    (await fetch("/api/v1/settings")).json());
		if (r.settings["network.dhcp"] !== "1" ||
		    r.settings["network.address"] !== "")
			throw new Error("settings changed: " +
			    JSON.stringify(r.settings));
		await shot(page, "desktop-settings-error");
	});

	await test("mail_card_on_status_and_test_button_says_why", async () => {
		await page.goto(base + "/#status");
		await waitFor(async () => /Queued/.test(
		    await page.textContent("#mail-status")),
		    "the mail outbox on the Status page");
		await page.goto(base + "/#settings");
		await page.click("#mail-test");
		const out = page.locator("#mail-test-result");
		await waitFor(async () => /Not sent: no mail server set/.test(
		    await out.textContent()), "the test mail's reason shown");
	});

	await test("users_and_backup_pages_render", async () => {
		await page.goto(base + "/#users");
		await page.waitForSelector("#users-table tbody tr");
		// An Administrator sees the web sessions and ends one.
		const other = await fetch(base + "/api/v1/session", {
		    method: "POST", headers: { "Content-Type":
		    "application/json" }, body: JSON.stringify({ user:
		    "clearone", password: "converge" }) });
		if (other.status !== 200)
			throw new Error("second login: " + other.status);
		const cookie = other.headers.get("set-cookie").split(";")[0];
		await page.reload();
		const row = await page.waitForSelector(
		    "#sessions-table tbody tr:has(button)");
		await shot(page, "desktop-users");
		await (await row.$("button")).click();
		await waitFor(async () => (await fetch(base + "/api/v1/session",
		    { headers: { Cookie: cookie } })).status === 401,
		    "the ended session to be refused");
		await page.goto(base + "/#backup");
		await page.waitForSelector("#page-backup:not([hidden])");
		await shot(page, "desktop-backup");
	});

	await test("phone_width_pages_fit", async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		await page.goto(base + "/#control");
		// the first screen, as a phone shows it: meters moving on inputs
		await page.waitForSelector(
		    '.strip[data-key="I:0"] .meter:not([data-db=""])');
		await page.locator('.card[data-group="I"]').scrollIntoViewIfNeeded();
		await waitFor(async () => page.evaluate(() =>
		    JSON.parse(app.metersAsked).on === true), "meters asked");
		await page.waitForTimeout(500);
		await shot(page, "phone-meters", false);
		for (const tab of ["status", "control", "settings"]) {
			await page.goto(base + "/#" + tab);
			await page.waitForSelector(`#page-${tab}:not([hidden])`);
			await page.waitForTimeout(300);
			const over = await page.evaluate(() =>
			    document.documentElement.scrollWidth - innerWidth);
			await shot(page, "phone-" + tab);
			if (over > 2)
				throw new Error(`${tab} is ${over}px wider than the phone`);
		}
	});

	await test("session_ended_elsewhere_returns_to_login", async () => {
		await page.goto(base + "/#status");
		await page.waitForSelector("#live:not(.off)");
		// Log this session out behind the page's back (another tab).
		const st = await page.evaluate(async () => (await fetch(
		    "/api/v1/session", { method: "DELETE",
			headers: { "X-CSRF-Token": app.session.csrf } })).status);
		if (st !== 200)
			throw new Error("logout -> " + st);
		await page.waitForSelector("#login:not([hidden])",
		    { timeout: 5000 });
		if (await page.isVisible("#tabs") || await page.isVisible("#who"))
			throw new Error("tabs or user still shown after logout");
		await shot(page, "phone-login");
	});

	await test("no_script_errors", async () => {
		if (pageErrors.length)
			throw new Error(pageErrors.join("; "));
	});
}

async function cleanup() {
	try { if (context) await context.close(); } catch (e) { /* closing */ }
	try { if (telnet) telnet.sock.destroy(); } catch (e) { /* closing */ }
	if (tls && tls.exitCode === null) {
		tls.kill("SIGTERM");
		await waitFor(() => tls.exitCode !== null, "stunnel exit", 5000)
		    .catch(() => tls.kill("SIGKILL"));
	}
	if (daemon && daemon.exitCode === null) {
		daemon.kill("SIGTERM");
		await waitFor(() => daemon.exitCode !== null, "daemon exit", 5000)
		    .catch(() => daemon.kill("SIGKILL"));
	}
	fs.rmSync(tmp, { recursive: true, force: true });
}

const guard = setTimeout(() => {
	console.log("FAIL overall time-out");
	cleanup().finally(() => process.exit(1));
}, 120000);

main().catch((e) => {
	results.push(["setup", false]);
	console.log("FAIL setup: " + (e && e.stack || e));
}).finally(async () => {
	clearTimeout(guard);
	await cleanup();
	const failed = results.filter((r) => !r[1]).length;
	console.log(`${results.length - failed}/${results.length} passed`);
	process.exit(failed ? 1 : 0);
});
