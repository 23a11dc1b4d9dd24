// SPDX-License-Identifier: MIT
// The web page in headless Chromium (/usr/bin/chromium via playwright-core)
// against the real daemon ($CONVERGD) and a raw Telnet session on the
// console port: a fader moved on the page reaches Telnet as a bare report,
// a mute set over Telnet shows on the page without a reload, a bad static
// netmask is refused with the error next to the field. Screenshots of each
// page at desktop and phone widths go to BUILD_DIR/test-output/screenshots.
import { spawn } from "node:child_process";
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
let daemon, context, telnet;
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

async function startDaemon(webPort, consolePort) {
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
[console]
enabled = yes
bind = 127.0.0.1
port = ${consolePort}
[web]
enabled = yes
bind = 127.0.0.1
port = ${webPort}
`);
	const log = fs.openSync(path.join(tmp, "daemon.log"), "w");
	daemon = spawn(process.env.CONVERGD, ["-f", "-c", conf],
	    { cwd: tmp, stdio: ["ignore", log, log] });
	await waitFor(async () => {
		try {
			const r = await fetch(`http://127.0.0.1:${webPort}/`);
			return r.status === 200;
		} catch (e) { return false; }
	}, "the web port", 10000);
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

async function shot(page, name) {
	await page.screenshot({ path: path.join(outDir, name + ".png"),
	    fullPage: true });
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
	const base = `http://127.0.0.1:${webPort}`;
	await startDaemon(webPort, consolePort);
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
