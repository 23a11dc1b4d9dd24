// SPDX-License-Identifier: MIT
// convergd web page: login, status, audio control (live through the
// WebSocket /api/v1/events), settings, users and backup. It talks only
// to the JSON API of docs/api.md; no external scripts.
"use strict";

const LEVELS = { User: 0, Manager: 1, Administrator: 2 };
const SECTION_TITLES = {
	unit: "Unit name", network: "Network", time: "Time",
	names: "Names (NetBIOS)", location: "Location", snmp: "SNMP",
	mail: "Email alerts", log: "Event log", serial: "Serial port",
};
const KEY_LABELS = {
	"unit.label": "Unit label", "network.dhcp": "Use DHCP",
	"network.address": "IP address", "network.mask": "Subnet mask",
	"network.gateway": "Gateway", "network.dns": "DNS server",
	"network.dns2": "Second DNS server", "network.domain": "Domain",
	"time.ntp_server": "NTP server", "time.ntp_server2": "Second NTP server",
	"time.ntp_server3": "Third NTP server",
	"time.ntp_server4": "Fourth NTP server",
	"time.zone": "Time zone", "names.netbios": "NetBIOS name",
	"names.wins": "WINS server", "location.building": "Building",
	"location.room": "Room", "location.city": "City",
	"location.region": "Region", "snmp.manager": "Trap manager address",
	"snmp.manager_port": "Trap port", "snmp.ro_community":
	"Read community", "snmp.rw_community": "Write community",
	"snmp.trap2": "Trap destination 2 (host[:port] KIND NAME)",
	"snmp.trap3": "Trap destination 3 (host[:port] KIND NAME)",
	"snmp.trap4": "Trap destination 4 (host[:port] KIND NAME)",
	"snmp.trap5": "Trap destination 5 (host[:port] KIND NAME)",
	"snmp.trap6": "Trap destination 6 (host[:port] KIND NAME)",
	"snmp.trap7": "Trap destination 7 (host[:port] KIND NAME)",
	"snmp.trap8": "Trap destination 8 (host[:port] KIND NAME)",
	"snmp.sources": "Networks allowed to query (empty = configured)",
	"mail.server": "SMTP server", "mail.port": "SMTP port",
	"mail.security": "Security", "mail.user": "SMTP user",
	"mail.password": "SMTP password", "mail.from": "From address",
	"mail.to": "Recipients (comma-separated)",
	"mail.events": "Event mask (hex)", "log.mask": "Log mask (hex)",
	"serial.baud": "Baud rate", "serial.flow": "Hardware flow control",
};

const app = {
	session: null,		// {user, level, csrf}
	audio: null,		// last snapshot, patched by changes
	seq: 0,			// snapshot sequence; older changes are ignored
	ws: null,
	wsRetry: 500,
	dragging: null,		// "I:0" while the user moves that fader
	status: null,
	meters: null,		// Map "I:0" -> meter elements and peak hold
	metersAsked: "",	// the subscription last sent, as JSON
	visibleGroups: new Set(),	// group cards on screen ("I", "O", ...)
	observer: null,
};

const $ = (sel, root) => (root || document).querySelector(sel);

function el(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (k === "class") e.className = v;
		else if (k === "text") e.textContent = v;
		else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
		else if (v === true) e.setAttribute(k, "");
		else if (v !== false && v != null) e.setAttribute(k, v);
	}
	for (const k of kids)
		if (k != null) e.append(k);
	return e;
}

function level() {
	return app.session ? LEVELS[app.session.level] : -1;
}

// One API call; resolves to {status, data}. 401 sends the user to login.
async function api(method, path, body) {
	const opts = { method, credentials: "same-origin", headers: {} };
	if (body !== undefined) {
		opts.headers["Content-Type"] = "application/json";
		opts.body = JSON.stringify(body);
	}
	if (method !== "GET" && app.session)
		opts.headers["X-CSRF-Token"] = app.session.csrf;
	const res = await fetch("/api/v1" + path, opts);
	let data = null;
	try { data = await res.json(); } catch (e) { data = null; }
	if (res.status === 401 && path !== "/session") showLogin();
	return { status: res.status, data };
}

function banner(text, kind) {
	const b = $("#banner");
	b.textContent = text;
	b.className = "banner " + (kind || "info");
	b.hidden = !text;
	clearTimeout(banner.t);
	if (text && kind !== "error")
		banner.t = setTimeout(() => { b.hidden = true; }, 4000);
}

/* ---------------- login ---------------- */

function showLogin(msg) {
	app.session = null;
	if (app.ws) { app.ws.onclose = null; app.ws.close(); app.ws = null; }
	$("#login").hidden = false;
	$("#tabs").hidden = true;
	$("#who").hidden = true;
	document.querySelectorAll(".page").forEach(p => { p.hidden = true; });
	$("#login-error").textContent = msg || "";
}

async function login(ev) {
	ev.preventDefault();
	const r = await api("POST", "/session", {
		user: $("#login-user").value, password: $("#login-pass").value,
	});
	if (r.status !== 200) {
		$("#login-error").textContent = r.data && r.data.error ?
		    r.data.error : "Login failed (" + r.status + ")";
		return;
	}
	$("#login-pass").value = "";
	startSession(r.data);
}

async function logout() {
	await api("DELETE", "/session");
	showLogin("Logged out.");
}

function startSession(s) {
	app.session = s;
	$("#login").hidden = true;
	$("#tabs").hidden = false;
	$("#who").hidden = false;
	$("#who-name").textContent = s.user + " (" + s.level + ")";
	document.querySelectorAll("#tabs a").forEach(a => {
		const need = a.dataset.level;
		a.hidden = need && level() < LEVELS[need];
	});
	connectWs();
	route();
}

/* ---------------- navigation ---------------- */

function route() {
	if (!app.session) return;
	let tab = location.hash.slice(1) || "status";
	const link = $(`#tabs a[data-tab="${tab}"]`);
	if (!link || link.hidden) tab = "status";
	document.querySelectorAll("#tabs a").forEach(a =>
	    a.classList.toggle("active", a.dataset.tab === tab));
	document.querySelectorAll(".page").forEach(p => {
		p.hidden = p.id !== "page-" + tab;
	});
	askMeters();
	({ status: loadStatus, control: loadAudio, settings: loadSettings,
	   users: loadUsers, backup: () => {} })[tab]();
}

/* ---------------- status ---------------- */

function dl(target, rows) {
	const d = $(target);
	d.replaceChildren();
	for (const [k, v] of rows) {
		d.append(el("dt", { text: k }),
		    el("dd", { text: v === "" || v == null ? "—" : String(v) }));
	}
}

/* The DHCP lease's rows of the Network card (times in UTC). */
function leaseRows(l, mode) {
	if (!l) return [["DHCP lease", mode === "dhcp" ? "none" : ""]];
	const t = (x) => x ? x.replace("T", " ") : "";
	return [["DHCP lease", `${l.address} / ${l.mask} from ${l.server}`],
	    ["Router in use", l.router || "none"],
	    ["Routers offered", (l.routers || []).join(", ")],
	    ["Lease DNS", (l.dns || []).join(", ")],
	    ["Lease domain", l.domain], ["Obtained", t(l.obtained)],
	    ["Renews (T1)", t(l.t1)], ["Rebinds (T2)", t(l.t2)],
	    ["Expires", t(l.expires)]];
}

async function loadStatus() {
	const r = await api("GET", "/status");
	if (r.status !== 200) return;
	const s = app.status = r.data;
	const id = s.identity;
	$("#unit-title").textContent = id.label || ("Converge " + id.model);
	$("#unit-sub").textContent = id.model + " " + id.address;
	dl("#identity", [["Model", id.model], ["Type / ID", id.address],
	    ["Label", id.label], ["UID", id.uid], ["Firmware", id.firmware],
	    ["MAC", id.mac]]);
	dl("#network", [["Mode", s.network.mode === "dhcp" ? "DHCP" : "Static"],
	    ["Address", s.network.address], ["Mask", s.network.mask],
	    ["Gateway", s.network.gateway], ["DNS", s.network.dns],
	    ...leaseRows(s.network.lease, s.network.mode)]);
	const ntp = s.services.find(x => x.name === "ntp");
	dl("#time", [["Unit time", s.time.now.replace("T", " ")],
	    ["Time zone", s.time.timezone], ["NTP server", s.time.ntp_server],
	    ["NTP client", !ntp ? "not running" : !s.ntp ? ntp.state :
	    s.ntp.synced ? `synchronised with ${s.ntp.server}, offset ` +
	    `${s.ntp.offset_ms.toFixed(3)} ms` :
	    `not synchronised: ${s.ntp.last_error}`]]);
	const m = s.mail;
	dl("#mail-status", m ? [["Queued", m.queued],
	    ["Last sent", (m.last_success || "").replace("T", " ")],
	    ["Last failure", (m.last_failure || "").replace("T", " ")],
	    ["Last error", m.last_error], ["Dropped", m.dropped]] :
	    [["Mail service", "not running"]]);
	renderServices(s.services);
	renderEvents(s.events);
	const w = $("#warnings");
	w.replaceChildren(...s.warnings.map(x =>
	    el("div", { class: "banner warning", text: "Warning: " + x.text })));
}

function renderServices(rows) {
	$("#services tbody").replaceChildren(...rows.map(x => el("tr", {},
	    el("td", { text: x.name }),
	    el("td", {}, el("span", { class: "state " + x.state,
		text: x.state })),
	    el("td", { text: x.restarts }),
	    el("td", { text: x.last_error }),
	    /* what the service says of itself: the set fields only */
	    el("td", { class: "detail", text: Object.entries(x.detail || {})
		.filter(([, v]) => v !== null && v !== "" && v !== false)
		.map(([k, v]) => k + ": " + v).join(", ") }))));
}

function eventRow(e) {
	return el("tr", { class: "sev-" + e.severity },
	    el("td", { text: (e.time || "").replace("T", " ").replace("Z", "") }),
	    el("td", { text: e.severity }), el("td", { text: e.source }),
	    el("td", { text: e.text }));
}

function renderEvents(rows) {
	$("#events tbody").replaceChildren(...rows.map(eventRow));
}

/* ---------------- control ---------------- */

async function loadAudio() {
	const r = await api("GET", "/audio");
	if (r.status === 200) applySnapshot(r.data);
}

function applySnapshot(a) {
	app.audio = a;
	app.seq = a.seq;
	renderAudio();
}

async function command(line) {
	const r = await api("POST", "/command", { command: line });
	if (r.status !== 200) {
		banner(r.data && r.data.error ? r.data.error : "Command failed",
		    "error");
		return null;
	}
	if (r.data.error)
		banner(r.data.reply.join(" "), "error");
	return r.data;
}

function chanKey(g, i) { return g + ":" + i; }

function findChannel(g, i) {
	if (!app.audio) return null;
	const grp = app.audio.groups.find(x => x.group === g);
	return grp ? grp.channels[i] : null;
}

function fmtGain(v) { return (v > 0 ? "+" : "") + v.toFixed(1) + " dB"; }

function strip(g, ch) {
	const key = chanKey(g.group, ch.index);
	const value = el("output", { class: "gain", text: fmtGain(ch.gain) });
	const fader = el("input", { type: "range", min: ch.min, max: ch.max,
	    step: "0.5", value: ch.gain, "aria-label": "Gain " + g.group +
	    " " + ch.channel, "data-key": key });
	let timer = null;
	fader.addEventListener("input", () => {
		app.dragging = key;
		value.textContent = fmtGain(Number(fader.value));
		clearTimeout(timer);
		// Coalesce a drag into at most one command per 80 ms.
		timer = setTimeout(() => command(`#** GAIN ${ch.channel} ` +
		    `${g.group} ${fader.value} A`), 80);
	});
	fader.addEventListener("change", () => { app.dragging = null; });
	const mute = el("button", { type: "button", class: "mute" +
	    (ch.mute ? " on" : ""), "aria-pressed": String(!!ch.mute),
	    "data-key": key, text: "Mute",
	    onclick: () => command(`#** MUTE ${ch.channel} ${g.group} 2`) });
	const name = el("span", { class: "label", text: ch.label ||
	    (g.group + " " + ch.channel) });
	const head = el("div", { class: "strip-head" },
	    el("span", { class: "chan", text: g.group + ch.channel }), name);
	if (isMic(g.group, ch.index))
		head.append(el("span", { class: "gate", title: "Gate open",
		    text: "GATE" }));
	if (g.meters)
		head.append(el("span", { class: "clip", title: "Clipping",
		    text: "CLIP" }));
	if (level() >= LEVELS.Manager) {
		head.append(el("button", { type: "button", class: "link",
		    title: "Rename", text: "✎", onclick: () => rename(g, ch) }));
	}
	return el("div", { class: "strip", "data-key": key }, head,
	    el("div", { class: "strip-body" }, fader, value, mute),
	    g.meters ? meter() : null);
}

async function rename(g, ch) {
	const text = prompt("Label for " + g.group + " " + ch.channel +
	    " (1-20 characters, empty to clear)", ch.label || "");
	if (text === null) return;
	await command(`#** LABEL ${ch.channel} ${g.group} ` +
	    (text.trim() === "" ? "CLEAR" : text.trim()));
}

// "Presets: [Preset 1] [Preset 4]": one button per number runs VERB n.
function runButtons(title, word, verb, numbers, none, enabled) {
	return [el("span", { class: "muted", text: title + ": " }),
	    ...(numbers.length ? numbers.map(n =>
		el("button", { type: "button", disabled: !enabled,
		    text: word + " " + n,
		    onclick: () => command("#** " + verb + " " + n) })) :
	    [el("span", { class: "muted", text: none })])];
}

function renderAudio() {
	const a = app.audio;
	const groups = $("#groups");
	groups.replaceChildren(...a.groups.map(g => el("div", { class: "card",
	    "data-group": g.group },
	    el("h2", { text: g.name[0].toUpperCase() + g.name.slice(1) +
		" (" + g.group + ")" }),
	    el("div", { class: "strips" }, ...g.channels.map(c =>
		strip(g, c))))));
	const canRun = level() >= LEVELS.Manager;
	$("#presets").replaceChildren(...runButtons("Presets", "Preset",
	    "PRESET", a.presets, "none stored", canRun));
	$("#macros").replaceChildren(...runButtons("Macros", "Macro",
	    "MACRO", a.macros, "none defined", canRun));
	$("#last-macro").textContent = a.last_macro ?
	    "Last macro run: " + a.last_macro : "";
	renderMatrix();
	watchMeters();
}

function renderMatrix() {
	const m = app.audio.matrix;
	const head = el("tr", {}, el("th", { text: "" }),
	    ...m.destinations.map(d => el("th", { class: "v",
		text: d.group + d.channel })));
	const rows = m.sources.map((s, si) => el("tr", {},
	    el("th", { text: s.group + s.channel }),
	    ...m.destinations.map((d, di) => {
		const v = m.routes[si][di];
		return el("td", { class: "x v" + v, title: `${s.group}` +
		    `${s.channel} → ${d.group}${d.channel}: ${v}`,
		    "data-x": si + ":" + di,
		    onclick: () => toggleRoute(s, d, si, di) },
		    v > 0 ? "●" : "");
	    })));
	$("#matrix").replaceChildren(el("thead", {}, head),
	    el("tbody", {}, ...rows));
}

async function toggleRoute(s, d, si, di) {
	const v = app.audio.matrix.routes[si][di];
	const base = `#** MTRX ${s.channel} ${s.group} ${d.channel} ${d.group} `;
	// Mic sources route gated (4); others simply on (1).
	await command(base + (v > 0 ? "0" : s.mic ? "4" : "1"));
}

function setCell(si, di, v) {
	app.audio.matrix.routes[si][di] = v;
	const td = $(`#matrix td[data-x="${si}:${di}"]`);
	if (td) {
		td.className = "x v" + v;
		td.textContent = v > 0 ? "●" : "";
	}
}

function stripEl(key) { return $(`.strip[data-key="${key}"]`); }

// A change pushed by the unit (someone else, or our own echo).
function applyChange(c) {
	if (!app.audio || c.seq <= app.seq) return;
	const ch = c.group != null ? findChannel(c.group, c.index) : null;
	const s = c.group != null ? stripEl(chanKey(c.group, c.index)) : null;
	switch (c.what) {
	case "gain":
		if (!ch) return;
		ch.gain = c.number;
		if (s && app.dragging !== chanKey(c.group, c.index)) {
			$("input", s).value = c.number;
			$("output", s).textContent = fmtGain(c.number);
		}
		break;
	case "mute":
		if (!ch) return;
		ch.mute = !!c.integer;
		if (s) {
			$(".mute", s).classList.toggle("on", ch.mute);
			$(".mute", s).setAttribute("aria-pressed",
			    String(ch.mute));
		}
		break;
	case "minmax":
		if (!ch) return;
		ch.min = c.number; ch.max = c.number2;
		if (s) { $("input", s).min = c.number; $("input", s).max = c.number2; }
		break;
	case "label":
		if (!ch) return;
		ch.label = c.text;
		if (s) $(".label", s).textContent = c.text ||
		    (c.group + " " + c.channel);
		break;
	case "matrix": {
		const m = app.audio.matrix;
		const si = m.sources.findIndex(x => x.group === c.group &&
		    x.index === c.index);
		const di = m.destinations.findIndex(x => x.group ===
		    c.dst_group && x.index === c.dst_index);
		if (si >= 0 && di >= 0) setCell(si, di, c.integer);
		break;
	}
	case "macro":
		app.audio.last_macro = c.integer;
		$("#last-macro").textContent = "Last macro run: " + c.integer;
		break;
	case "preset_stored": case "macro_defined":
		loadAudio();
		break;
	default:
		break;
	}
}

/* ---------------- meters ---------------- */

const METER_MIN = -60, METER_MAX = 6;	// dBFS shown on the scale
const METER_LABELS = [-48, -36, -24, -12, 0];
const PEAK_HOLD_MS = 1000, PEAK_DECAY_DB_S = 20;
const CLIP_HOLD_MS = 2000;
const CLIP_EVENT = 15;		// the engine's clipping event category

function isMic(g, i) {
	const src = app.audio && app.audio.matrix.sources.find(x =>
	    x.group === g && x.index === i);
	return !!(src && src.mic);
}

function meterPos(db) {
	const p = (db - METER_MIN) / (METER_MAX - METER_MIN) * 100;
	return Math.max(0, Math.min(100, p));
}

// A horizontal meter: gradient bar clipped to the level, peak line, scale.
function meter() {
	return el("div", { class: "meter", "data-db": "",
	    title: "Level after gain and mute (dBFS)" },
	    el("div", { class: "meter-track" },
		el("div", { class: "meter-fill" }),
		el("div", { class: "meter-peak" })),
	    el("div", { class: "meter-scale" }, ...METER_LABELS.map(d => {
		// CSSOM, not a style attribute: the page's CSP forbids those
		const t = el("span", { text: String(d) });
		t.style.left = meterPos(d) + "%";
		return t;
	    })));
}

// After a render: cache the meter elements, follow which groups show.
function watchMeters() {
	app.meters = new Map();
	document.querySelectorAll(".strip").forEach(s => {
		const m = $(".meter", s);
		if (!m) return;
		app.meters.set(s.dataset.key, { el: m, fill: $(".meter-fill", m),
		    peak: $(".meter-peak", m), gate: $(".gate", s),
		    clip: $(".clip", s), peakDb: METER_MIN, peakAt: 0,
		    clipAt: 0 });
	});
	if (app.observer) app.observer.disconnect();
	app.visibleGroups = new Set();
	if (!("IntersectionObserver" in window)) {
		app.audio.groups.forEach(g => app.visibleGroups.add(g.group));
		askMeters();
		return;
	}
	app.observer = new IntersectionObserver((entries) => {
		for (const e of entries) {
			const g = e.target.dataset.group;
			if (e.isIntersecting) app.visibleGroups.add(g);
			else app.visibleGroups.delete(g);
		}
		askMeters();
	});
	document.querySelectorAll("#groups .card[data-group]").forEach(c =>
	    app.observer.observe(c));
}

// Ask for meters of the groups on screen, only while Control shows.
function askMeters() {
	const ws = app.ws;
	if (!ws || ws.readyState !== WebSocket.OPEN) return;
	const page = $("#page-control");
	const withMeters = new Set(app.audio ? app.audio.groups.filter(g =>
	    g.meters).map(g => g.group) : []);
	const groups = [...app.visibleGroups].filter(g =>
	    withMeters.has(g)).sort();
	const on = !!app.session && !page.hidden && !document.hidden &&
	    groups.length > 0;
	const req = on ? { type: "meters", on: true, rate_hz: 20, groups } :
	    { type: "meters", on: false };
	const text = JSON.stringify(req);
	if (text === app.metersAsked) return;
	app.metersAsked = text;
	ws.send(text);
}

function showLevels(f) {
	if (!app.meters) return;
	const now = performance.now();
	for (const [g, vals] of Object.entries(f.levels)) {
		vals.forEach((db, i) => {
			const m = app.meters.get(chanKey(g, i));
			if (m) showMeter(m, db, now);
		});
	}
	for (const [key, m] of app.meters) {
		if (!m.gate) continue;
		const i = Number(key.split(":")[1]);
		m.gate.classList.toggle("on", !!(f.gates & (1 << i)));
	}
}

function showMeter(m, db, now) {
	m.el.dataset.db = db.toFixed(2);
	m.fill.style.clipPath = `inset(0 ${100 - meterPos(db)}% 0 0)`;
	// the peak holds a second, then falls until the level catches it
	const dt = m.last ? (now - m.last) / 1000 : 0;
	m.last = now;
	if (now - m.peakAt > PEAK_HOLD_MS) m.peakDb -= dt * PEAK_DECAY_DB_S;
	if (db >= m.peakDb) { m.peakDb = db; m.peakAt = now; }
	m.peak.style.left = meterPos(m.peakDb) + "%";
	m.peak.classList.toggle("clip", m.peakDb > 0);
	m.el.classList.toggle("clip", db > 0);
	if (db > 0) m.clipAt = now;
	if (m.clip) m.clip.classList.toggle("on", m.clipAt > 0 &&
	    now - m.clipAt < CLIP_HOLD_MS);
}

// The engine's clipping event: shown on the Control page (and logged).
function showClipEvent(e) {
	const p = $("#clip-log");
	p.hidden = false;
	p.textContent = "Clipping: " + e.text + " (" + e.time + ")";
}

/* ---------------- live updates ---------------- */

function setLive(on) {
	const l = $("#live");
	l.classList.toggle("off", !on);
	l.title = on ? "Live updates connected" : "Live updates reconnecting";
}

function connectWs() {
	if (app.ws) return;
	const ws = new WebSocket((location.protocol === "https:" ? "wss://" :
	    "ws://") + location.host + "/api/v1/events");
	app.ws = ws;
	ws.onopen = () => {
		app.wsRetry = 500;
		setLive(true);
		app.metersAsked = "";
		askMeters();
	};
	ws.onmessage = (ev) => {
		let m;
		try { m = JSON.parse(ev.data); } catch (e) { return; }
		if (m.type === "levels") showLevels(m);
		else if (m.type === "snapshot") applySnapshot(m);
		else if (m.type === "change") applyChange(m);
		else if (m.type === "service" && app.status) {
			const rows = app.status.services;
			const i = rows.findIndex(x => x.name === m.name);
			if (i >= 0) rows[i] = m; else rows.push(m);
			renderServices(rows);
		} else if (m.type === "event") {
			const tb = $("#events tbody");
			tb.prepend(eventRow(m));
			while (tb.children.length > 50) tb.lastChild.remove();
			if (m.category === CLIP_EVENT) showClipEvent(m);
		}
	};
	ws.onclose = async () => {
		app.ws = null;
		setLive(false);
		if (!app.session) return;
		// Closed because the session ended (logout elsewhere, expiry)?
		const r = await api("GET", "/session").catch(() => null);
		if (r && r.status === 401) {
			showLogin("Your session ended; please log in again.");
			return;
		}
		setTimeout(connectWs, app.wsRetry);
		app.wsRetry = Math.min(app.wsRetry * 2, 10000);
	};
}

/* ---------------- settings ---------------- */

function settingInput(row, value) {
	const attrs = { name: row.key, id: "set-" + row.key,
	    disabled: LEVELS[row.level] > level() };
	if (row.type === "bool") {
		return el("input", Object.assign(attrs, { type: "checkbox",
		    checked: value === "1" }));
	}
	if (row.type === "choice") {
		const s = el("select", attrs, ...row.choices.map(c =>
		    el("option", { value: c, text: c })));
		s.value = value;
		return s;
	}
	if (row.secret) {
		return el("input", Object.assign(attrs, { type: "password",
		    autocomplete: "new-password", placeholder: row.is_set ?
		    "(set; leave empty to keep)" : "(not set)" }));
	}
	const i = el("input", Object.assign(attrs, { value: value || "",
	    inputmode: row.type === "int" ? "numeric" : null,
	    placeholder: row.type === "ipv4" || row.type === "mask" ?
	    "e.g. 192.168.1.20" : null }));
	return i;
}

function inputValue(inp, row) {
	if (row.type === "bool") return inp.checked ? "1" : "0";
	return inp.value.trim();
}

async function loadSettings() {
	const r = await api("GET", "/settings");
	if (r.status !== 200) return;
	const values = r.data.settings;
	const sections = {};
	for (const row of r.data.schema) {
		const sec = row.key.split(".")[0];
		(sections[sec] = sections[sec] || []).push(row);
	}
	const forms = Object.entries(sections).map(([sec, rows]) => {
		const form = el("form", { class: "card form", "data-section": sec },
		    el("h2", { text: SECTION_TITLES[sec] || sec }));
		for (const row of rows) {
			const inp = settingInput(row, values[row.key]);
			const lab = el("label", { class: row.type === "bool" ?
			    "check" : "" }, KEY_LABELS[row.key] || row.key, inp,
			    el("span", { class: "field-error",
				"data-for": row.key }));
			form.append(lab);
		}
		form.append(el("p", { class: "error", role: "alert" }),
		    el("button", { type: "submit", class: "primary",
			text: "Save " + (SECTION_TITLES[sec] || sec).toLowerCase(),
			disabled: rows.every(x => LEVELS[x.level] > level()) }));
		form.addEventListener("submit", (ev) => {
			ev.preventDefault();
			saveSection(form, rows, values);
		});
		return form;
	});
	$("#settings-forms").replaceChildren(...forms);
	const mail = $('form[data-section="mail"]');
	if (mail && level() >= LEVELS.Administrator)
		mail.append(testMailButton());
	const dhcp = $("#set-network\\.dhcp");
	if (dhcp) {
		const sync = () => ["address", "mask", "gateway"].forEach(k => {
			const i = $("#set-network\\." + k);
			if (i) i.closest("label").classList.toggle("dim",
			    dhcp.checked);
		});
		dhcp.addEventListener("change", sync);
		sync();
	}
}

// Sends with the saved settings: the server's reply, or why it failed.
function testMailButton() {
	const out = el("p", { class: "muted", id: "mail-test-result",
	    role: "status" });
	const b = el("button", { type: "button", id: "mail-test",
	    text: "Send a test mail" });
	b.addEventListener("click", async () => {
		b.disabled = true;
		out.className = "muted";
		out.textContent = "Sending (up to 20 s)…";
		const r = await api("POST", "/mail/test", {});
		b.disabled = false;
		const ok = r.status === 200;
		out.className = ok ? "muted" : "error";
		out.textContent = ok ? "Sent. The server said: " +
		    r.data.reply : "Not sent: " + ((r.data && r.data.error) ||
		    r.status);
	});
	return el("div", { class: "test-mail" }, b, out);
}

async function saveSection(form, rows, values) {
	const body = {};
	for (const row of rows) {
		const inp = form.elements[row.key];
		if (!inp || inp.disabled) continue;
		const v = inputValue(inp, row);
		if (row.secret && v === "") continue;
		if (v !== (values[row.key] || "") || row.secret) body[row.key] = v;
	}
	form.querySelectorAll(".field-error").forEach(x => {
		x.textContent = "";
	});
	form.querySelectorAll(".invalid").forEach(x => {
		x.classList.remove("invalid");
	});
	$(".error", form).textContent = "";
	if (!Object.keys(body).length) { banner("Nothing changed."); return; }
	const r = await api("PUT", "/settings", body);
	if (r.status === 200) {
		banner("Saved.", "ok");
		Object.assign(values, r.data.settings);
		return;
	}
	const err = r.data || {};
	const msg = (err.field ? (KEY_LABELS[err.field] || err.field) + ": " :
	    "") + (err.error || "not saved");
	$(".error", form).textContent = msg + " — nothing was changed.";
	if (err.field) {
		const fe = form.querySelector(
		    `.field-error[data-for="${err.field}"]`);
		if (fe) fe.textContent = err.error;
		if (form.elements[err.field])
			form.elements[err.field].classList.add("invalid");
	}
}

/* ---------------- users ---------------- */

async function loadUsers() {
	const r = await api("GET", "/users");
	if (r.status !== 200) return;
	const rows = r.data.users.map(u => {
		const sel = el("select", { "aria-label": "Level of " + u.name },
		    ...Object.keys(LEVELS).map(l => el("option", { text: l })));
		sel.value = u.level;
		sel.addEventListener("change", async () => {
			const x = await api("PUT", "/users/" +
			    encodeURIComponent(u.name), { level: sel.value });
			banner(x.status === 200 ? "Level changed." :
			    (x.data && x.data.error) || "Failed",
			    x.status === 200 ? "ok" : "error");
			loadUsers();
		});
		const pw = el("button", { type: "button", text: "Set password",
		    onclick: async () => {
			const p = prompt("New password for " + u.name);
			if (!p) return;
			const x = await api("PUT", "/users/" +
			    encodeURIComponent(u.name), { password: p });
			banner(x.status === 200 ? "Password changed." :
			    (x.data && x.data.error) || "Failed",
			    x.status === 200 ? "ok" : "error");
			loadUsers();
		} });
		const del = el("button", { type: "button", class: "danger",
		    text: "Delete", onclick: async () => {
			if (!confirm("Delete user " + u.name + "?")) return;
			const x = await api("DELETE", "/users/" +
			    encodeURIComponent(u.name));
			banner(x.status === 200 ? "Deleted." :
			    (x.data && x.data.error) || "Failed",
			    x.status === 200 ? "ok" : "error");
			loadUsers();
		} });
		return el("tr", {}, el("td", { text: u.name }), el("td", {}, sel),
		    el("td", {}, el("div", { class: "actions" }, pw, del)));
	});
	$("#users-table tbody").replaceChildren(...rows);
	loadSessions();
}

function ago(s) {
	if (s < 60) return s + " s";
	if (s < 3600) return Math.floor(s / 60) + " min";
	return Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min";
}

// Every web session (no tokens), with a button to end any but this one.
async function loadSessions() {
	const r = await api("GET", "/sessions");
	if (r.status !== 200) return;
	const rows = r.data.sessions.map(x => {
		const end = x.current ? el("span", { class: "muted",
		    text: "this session" }) : el("button", { type: "button",
		    class: "danger", text: "End", onclick: async () => {
			const y = await api("DELETE", "/sessions/" + x.id);
			banner(y.status === 200 ? "Session ended." :
			    (y.data && y.data.error) || "Failed",
			    y.status === 200 ? "ok" : "error");
			loadSessions();
		} });
		return el("tr", { "data-id": x.id },
		    el("td", { text: x.user + " (" + x.level + ")" }),
		    el("td", { text: x.from }), el("td", { text: ago(x.age_s) +
		    " ago" }), el("td", { text: ago(x.idle_s) }), el("td", {},
		    end));
	});
	$("#sessions-table tbody").replaceChildren(...rows);
	$("#sessions-limits").textContent = `${r.data.sessions.length} of ` +
	    `${r.data.max_sessions} sessions; ${r.data.sessions_per_user} per ` +
	    `user (a further login ends the oldest); ` +
	    `${r.data.admin_sessions} kept for Administrators.`;
}

async function addUser(ev) {
	ev.preventDefault();
	const f = ev.target;
	const r = await api("POST", "/users", { name: f.name.value,
	    password: f.password.value, level: f.level.value });
	$(".error", f).textContent = r.status === 201 ? "" :
	    (r.data && r.data.error) || "Failed";
	if (r.status === 201) { f.reset(); banner("User added.", "ok"); }
	loadUsers();
}

/* ---------------- restore ---------------- */

async function restore(ev) {
	ev.preventDefault();
	const f = ev.target, file = $("#restore-file").files[0];
	if (!file) return;
	let body;
	try { body = JSON.parse(await file.text()); } catch (e) {
		$(".error", f).textContent = "Not a JSON file: " + e.message;
		return;
	}
	if (!confirm("Replace every setting with this backup?")) return;
	const r = await api("POST", "/restore", body);
	$(".error", f).textContent = r.status === 200 ? "" :
	    ((r.data && r.data.error) || "Failed") + " — nothing was changed.";
	if (r.status === 200) banner("Restored.", "ok");
}

/* ---------------- start ---------------- */

async function start() {
	$("#login-form").addEventListener("submit", login);
	$("#logout").addEventListener("click", logout);
	$("#user-add").addEventListener("submit", addUser);
	$("#restore-form").addEventListener("submit", restore);
	window.addEventListener("hashchange", route);
	document.addEventListener("visibilitychange", askMeters);
	const r = await api("GET", "/session");
	if (r.status === 200) startSession(r.data);
	else showLogin();
}

document.addEventListener("DOMContentLoaded", start);
