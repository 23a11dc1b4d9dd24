# SPDX-License-Identifier: MIT
"""The web service's JSON API against the real daemon ($CONVERGD) on free
loopback ports: every endpoint, sessions, levels, CSRF, bad requests
(each must change nothing), backup/restore, the WebSocket push and the
login lockout. Prints one line per check; exits 1 on any failure."""

import json
import os
import socket
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_harness import Client, Daemon, WebSocket  # noqa: E402

ADMIN = ("clearone", "converge")
results = []


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def gain(c, group="I", index=0):
    st, a, _ = c.call("GET", "/audio")
    check(st == 200, f"GET /audio -> {st}")
    g = next(x for x in a["groups"] if x["group"] == group)
    return g["channels"][index]["gain"]


def setting(c, key):
    st, s, _ = c.call("GET", "/settings")
    check(st == 200, f"GET /settings -> {st}")
    return s["settings"].get(key)


def t_static_page_and_etag(d, adm):
    st, h, body = adm.raw("GET", "/")
    check(st == 200 and h["content-type"].startswith("text/html"),
          f"GET / -> {st} {h.get('content-type')}")
    check(b'src="/app.js"' in body, "index.html references app.js")
    check("default-src 'self'" in h.get("content-security-policy", ""),
          "CSP header on the page")
    st, h, _ = adm.raw("GET", "/app.js")
    check(st == 200 and "javascript" in h["content-type"], "app.js served")
    st, _, body = adm.raw("GET", "/app.js", headers={"If-None-Match":
                                                      h["etag"]})
    check(st == 304 and body == b"", f"If-None-Match -> {st}")
    st, _, body = adm.raw("GET", "/nothing-here")
    check(st == 404 and json.loads(body)["error"], f"unknown file -> {st}")


def t_api_needs_login(d, adm):
    anon = Client(d.web_port)
    for path in ("/status", "/audio", "/settings", "/users", "/backup"):
        st, body, _ = anon.call("GET", path)
        check(st == 401 and "error" in body, f"anonymous {path} -> {st}")
    st, _, _ = anon.call("POST", "/command", {"command": "#** VER"})
    check(st == 401, f"anonymous command -> {st}")


def t_login_wrong_password_is_401(d, adm):
    c = Client(d.web_port, source="127.0.0.2")
    st, body, h = c.login("clearone", "wrong")
    check(st == 401 and body["error"], f"bad password -> {st}")
    check("set-cookie" not in h, "no cookie on failure")
    st, _, _ = c.login("nobody", "converge")
    check(st == 401, f"unknown user -> {st}")


def t_login_sets_strict_cookie(d, adm):
    st, body, h = adm.login(*ADMIN)
    check(st == 200, f"login -> {st}")
    check(body["user"] == "clearone" and body["level"] == "Administrator",
          f"login body {body}")
    check(len(body["csrf"]) == 64 and all(ch in "0123456789abcdef"
                                          for ch in body["csrf"]),
          "csrf is 64 hex digits")
    cookie = h["set-cookie"]
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=120"):
        check(attr in cookie, f"cookie has {attr}: {cookie}")
    check(cookie.startswith("convergd_session=") and
          len(cookie.split(";")[0]) == len("convergd_session=") + 64,
          "random 64-hex session token")
    st, s, _ = adm.call("GET", "/session")
    check(st == 200 and s["csrf"] == body["csrf"], "GET /session")


def t_status_shows_identity_and_warning(d, adm):
    st, s, _ = adm.call("GET", "/status")
    check(st == 200, f"status -> {st}")
    i = s["identity"]
    check(i["model"] == "880TA" and i["address"] == "#H0" and
          len(i["uid"]) == 8 and i["firmware"] == "4.4.0.2",
          f"identity {i}")
    check(any(w["code"] == "default_password" for w in s["warnings"]),
          "default password warning")
    # The supervisor marks a service running shortly after it serves.
    deadline = time.monotonic() + 5
    while True:
        web = [x for x in s["services"] if x["name"] == "web"]
        if (web and web[0]["state"] == "running") or \
                time.monotonic() > deadline:
            break
        time.sleep(0.1)
        s = adm.call("GET", "/status")[1]
    check(web and web[0]["state"] == "running", f"services {s['services']}")
    check(s["network"]["mode"] in ("dhcp", "static"), "network mode")
    check(isinstance(s["events"], list), "events list")


def t_command_gain_replies_like_telnet(d, adm):
    st, r, _ = adm.call("POST", "/command", {"command": "#** GAIN 1 M -10 A"})
    check(st == 200, f"command -> {st}")
    check(r == {"reply": ["OK> #H0 GAIN 1 M -10.00 A"], "error": False},
          f"reply {r}")
    check(gain(adm) == -10.0, "gain of I 1 (= M 1) is -10")
    st, r, _ = adm.call("POST", "/command", {"command": "#** GAIN 1 Q 0 A"})
    check(st == 200 and r["error"] is True and
          r["reply"][0].startswith("OK> #H0 ERROR"), f"bad command {r}")


def t_audio_lists_model_channels(d, adm):
    st, a, _ = adm.call("GET", "/audio")
    check(st == 200 and a["model"] == "880TA", f"audio -> {st}")
    groups = {g["group"]: g for g in a["groups"]}
    check(len(groups["I"]["channels"]) == 12 and
          len(groups["O"]["channels"]) == 8 and
          [c["channel"] for c in groups["P"]["channels"]][:2] == ["A", "B"],
          f"groups {list(groups)}")
    ch = groups["I"]["channels"][0]
    for k in ("gain", "min", "max", "mute", "label"):
        check(k in ch, f"channel has {k}")
    m = a["matrix"]
    check(len(m["routes"]) == len(m["sources"]) and
          len(m["routes"][0]) == len(m["destinations"]), "matrix grid")
    check(isinstance(a["presets"], list) and "last_macro" in a, "presets")


def t_csrf_missing_or_wrong_is_403_and_unchanged(d, adm):
    before = gain(adm)
    st, r, _ = adm.call("POST", "/command",
                        {"command": "#** GAIN 1 M 5 A"}, csrf=False)
    check(st == 403 and r["field"] == "X-CSRF-Token", f"no token -> {st}")
    st, _, _ = adm.call("POST", "/command", {"command": "#** GAIN 1 M 5 A"},
                        csrf=False, headers={"X-CSRF-Token": "0" * 64})
    check(st == 403, f"wrong token -> {st}")
    st, _, _ = adm.call("PUT", "/settings", {"location.room": "Hall"},
                        csrf=False)
    check(st == 403, f"settings without token -> {st}")
    check(gain(adm) == before, "gain unchanged")
    check(setting(adm, "location.room") == "", "room unchanged")


def t_bad_requests_are_4xx_and_change_nothing(d, adm):
    before = gain(adm)
    cases = [
        # (why, method, path, body, headers, status, field)
        ("malformed JSON", "POST", "/command", b'{"command": ', None, 400,
         None),
        ("body not an object", "POST", "/command", b'["#** VER"]', None, 400,
         None),
        ("command not a string", "POST", "/command", b'{"command": 7}', None,
         400, "command"),
        ("command missing", "POST", "/command", b'{}', None, 400, "command"),
        ("two lines in one command", "POST", "/command",
         b'{"command": "#** GAIN 1 M 5 A\\r\\n#** GAIN 1 M 6 A"}', None,
         400, "command"),
        ("duplicate keys", "POST", "/command",
         b'{"command": "#** VER", "command": "#** VER"}', None, 400, None),
        ("not JSON content type", "POST", "/command",
         b'{"command": "#** GAIN 1 M 5 A"}', {"Content-Type": "text/plain"},
         415, "Content-Type"),
        ("oversized body", "POST", "/command",
         b'{"command": "' + b"x" * 70000 + b'"}', None, 413, None),
        ("unknown endpoint", "GET", "/nope", None, None, 404, None),
        ("wrong method", "DELETE", "/status", None, None, 405, None),
        ("settings value of wrong type", "PUT", "/settings",
         b'{"location.room": ["a"]}', None, 400, "location.room"),
        ("unknown setting", "PUT", "/settings", b'{"no.such": "1"}', None,
         400, "no.such"),
        ("port out of range", "PUT", "/settings",
         b'{"snmp.manager_port": 70000}', None, 400, "snmp.manager_port"),
        ("user level unknown", "POST", "/users",
         b'{"name": "x", "password": "pw123456", "level": "root"}', None,
         400, "level"),
    ]
    for why, method, path, body, hdrs, status, field in cases:
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(hdrs or {})
        h["X-CSRF-Token"] = adm.csrf
        st, rh, data = adm.raw(method, "/api/v1" + path, body, h)
        check(st == status, f"{why}: status {st}, wanted {status}")
        err = json.loads(data)
        check(isinstance(err.get("error"), str) and err["error"],
              f"{why}: has an error text")
        if field:
            check(err.get("field") == field,
                  f"{why}: field {err.get('field')!r}, wanted {field!r}")
    check(gain(adm) == before, "gain unchanged after bad requests")
    check(setting(adm, "location.room") == "", "room unchanged")
    check(setting(adm, "snmp.manager_port") == "162", "port unchanged")
    st, u, _ = adm.call("GET", "/users")
    check([x["name"] for x in u["users"]] == ["clearone"], "no user added")


def t_settings_put_validates_all_first(d, adm):
    st, s, _ = adm.call("GET", "/settings")
    check("mail.password" not in s["settings"], "secret not returned")
    check(st == 200 and s["settings"]["snmp.ro_community"] == "public",
          "defaults")
    st, r, _ = adm.call("PUT", "/settings", {
        "location.room": "Board room", "network.dhcp": "0",
        "network.address": "192.168.10.20", "network.mask": "255.0.255.0"})
    check(st == 400 and r["field"] == "network.mask", f"bad mask -> {st} {r}")
    check(setting(adm, "location.room") == "", "good key before bad one "
          "not applied")
    check(setting(adm, "network.dhcp") == "1", "dhcp unchanged")
    # a value only the state's rules refuse: nothing applied, nothing sent
    ws = WebSocket(d.web_port, adm.cookie)
    ws.recv()  # snapshot
    st, r, _ = adm.call("PUT", "/settings", {
        "location.room": "Hall", "network.dns": "0.0.0.0"})
    check(st == 400 and r["field"] == "network.dns",
          f"dns 0.0.0.0 refused before anything changes -> {st} {r}")
    # other messages (a service's state) may come; no change may
    pushed = None
    deadline = time.monotonic() + 0.5
    while pushed is None and time.monotonic() < deadline:
        try:
            m = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        except (OSError, TimeoutError):
            break
        if m.get("type") == "change":
            pushed = m
    check(pushed is None, f"no change pushed for a refused PUT: {pushed}")
    ws.close()
    st, r, _ = adm.call("PUT", "/settings", {
        "location.room": "Board room", "network.dhcp": False,
        "network.address": "192.168.10.20", "network.mask": "255.255.255.0",
        "snmp.manager_port": 1162, "mail.password": "s3cret"})
    check(st == 200, f"good settings -> {st} {r}")
    check(r["settings"]["location.room"] == "Board room" and
          r["settings"]["network.address"] == "192.168.10.20" and
          r["settings"]["network.dhcp"] == "0" and
          r["settings"]["snmp.manager_port"] == "1162", "applied")
    check("mail.password" not in r["settings"], "secret still hidden")
    sec = [x for x in r["schema"] if x["key"] == "mail.password"][0]
    check(sec["secret"] and sec["is_set"] is True, "secret says it is set")
    st, s, _ = adm.call("GET", "/status")
    check(s["network"]["mode"] == "static" and
          s["network"]["address"] == "192.168.10.20", "status shows static")


def t_levels_enforced_server_side(d, adm):
    st, r, _ = adm.call("POST", "/users", {"name": "operator",
                                           "password": "op-pass-1",
                                           "level": "User"})
    check(st == 201 and r["level"] == "User", f"create user -> {st} {r}")
    st, _, _ = adm.call("POST", "/users", {"name": "operator",
                                           "password": "x-pass-22",
                                           "level": "User"})
    check(st == 409, f"duplicate user -> {st}")
    op = Client(d.web_port)
    st, body, _ = op.login("operator", "op-pass-1")
    check(st == 200 and body["level"] == "User", f"operator login {body}")
    for method, path, obj in (("GET", "/users", None),
                              ("GET", "/backup", None),
                              ("POST", "/restore", {}),
                              ("POST", "/users", {"name": "y",
                                                  "password": "p",
                                                  "level": "User"}),
                              ("DELETE", "/users/clearone", None)):
        st, _, _ = op.call(method, path, obj)
        check(st == 403, f"User {method} {path} -> {st}")
    st, r, _ = op.call("PUT", "/settings", {"location.city": "Oslo"})
    check(st == 403 and r["field"] == "location.city", f"User settings {st}")
    check(setting(adm, "location.city") == "", "city unchanged")
    st, r, _ = op.call("POST", "/command", {"command": "#** MUTE 2 O 1"})
    check(st == 200 and r["reply"] == ["OK> #H0 MUTE 2 O 1"],
          f"User may mute: {r}")
    st, r, _ = op.call("POST", "/command", {"command": "#** PRESET 1"})
    check(r["error"] and "ACCESS DENIED" in r["reply"][0],
          f"User may not run presets: {r}")
    st, r, _ = adm.call("PUT", "/users/operator", {"level": "Manager"})
    check(st == 200 and r["level"] == "Manager", f"promote -> {st}")
    st, s, _ = op.call("GET", "/session")
    check(s["level"] == "Manager", "promotion applies to the open session")
    st, _, _ = op.call("PUT", "/settings", {"location.city": "Oslo"})
    check(st == 200 and setting(adm, "location.city") == "Oslo",
          "Manager sets location")
    st, _, _ = adm.call("PUT", "/users/nobody", {"level": "User"})
    check(st == 404, f"PUT unknown user -> {st}")
    st, u, _ = adm.call("GET", "/users")
    check({x["name"]: x["level"] for x in u["users"]} ==
          {"clearone": "Administrator", "operator": "Manager"}, f"users {u}")
    st, _, _ = adm.call("DELETE", "/users/operator")
    check(st == 200, f"delete -> {st}")
    st, _, _ = op.call("GET", "/status")
    check(st == 401, "deleted user's session is gone")


def t_user_logins_capped_admin_still_gets_in(d, adm):
    # The reported attack: 40 logins as one User filled the table.
    st, _, _ = adm.call("POST", "/users", {"name": "flood", "level": "User",
                                           "password": "flood-pass-1"})
    check(st == 201, f"create user -> {st}")
    first = Client(d.web_port)
    check(first.login("flood", "flood-pass-1")[0] == 200, "first login")
    for i in range(40):
        st, _, _ = Client(d.web_port).login("flood", "flood-pass-1")
        check(st == 200, f"login {i + 2} of the same user -> {st}")
    st, ls, _ = adm.call("GET", "/sessions")
    check(st == 200, f"GET /sessions -> {st}")
    mine = [x for x in ls["sessions"] if x["user"] == "flood"]
    check(len(mine) == ls["sessions_per_user"] == 4,
          f"{len(mine)} sessions of one user kept")
    st, _, _ = first.call("GET", "/session")
    check(st == 401, f"its oldest session ended -> {st}")
    check(Client(d.web_port).login(*ADMIN)[0] == 200, "admin logs in")
    st, _, _ = adm.call("DELETE", "/users/flood")
    check(st == 200, "clean up")


def t_full_table_keeps_room_for_admin(d, adm):
    st, ls, _ = adm.call("GET", "/sessions")
    free = ls["max_sessions"] - len(ls["sessions"])
    lower = free - ls["admin_sessions"]
    check(lower > 0, f"{free} free rows, {ls['admin_sessions']} kept")
    users = [f"fill{n}" for n in range((lower + 3) // 4)] + ["fresh"]
    for name in users:
        st, _, _ = adm.call("POST", "/users", {"name": name, "level": "User",
                                               "password": "fill-pass-1"})
        check(st == 201, f"create {name} -> {st}")
    for i in range(lower):
        st, _, _ = Client(d.web_port).login(users[i // 4], "fill-pass-1")
        check(st == 200, f"User login {i + 1} of {lower} -> {st}")
    st, body, _ = Client(d.web_port).login(users[-1], "fill-pass-1")
    check(st == 503 and "sessions" in body["error"],
          f"a User login past the kept rows -> {st}")
    late = Client(d.web_port)
    check(late.login(*ADMIN)[0] == 200, "an Administrator still logs in")
    late.call("DELETE", "/session")
    st, ls, _ = adm.call("GET", "/sessions")
    for x in ls["sessions"]:
        if x["user"] in users:
            adm.call("DELETE", "/sessions/%d" % x["id"])
    for name in users:
        adm.call("DELETE", "/users/" + name)


def t_deleted_user_sessions_end_at_once(d, adm):
    st, _, _ = adm.call("POST", "/users", {"name": "gone", "level": "User",
                                           "password": "gone-pass-1"})
    check(st == 201, f"create user -> {st}")
    c = Client(d.web_port)
    check(c.login("gone", "gone-pass-1")[0] == 200, "the user logs in")
    st, _, _ = adm.call("DELETE", "/users/gone")
    check(st == 200, f"delete user -> {st}")
    # no wait: the list right after the delete holds none of its sessions
    st, ls, _ = adm.call("GET", "/sessions")
    check(all(x["user"] != "gone" for x in ls["sessions"]),
          f"deleted user's sessions listed: {ls['sessions']}")
    st, _, _ = c.call("GET", "/status")
    check(st == 401, f"the deleted user's session -> {st}")


def t_admin_lists_and_ends_sessions(d, adm):
    st, r, _ = adm.call("POST", "/users", {"name": "viewer", "level": "User",
                                           "password": "view-pass-1"})
    check(st == 201, f"create user -> {st}")
    v = Client(d.web_port, source="127.0.0.7")
    check(v.login("viewer", "view-pass-1")[0] == 200, "viewer logs in")
    st, _, _ = v.call("GET", "/sessions")
    check(st == 403, f"a User may not list sessions -> {st}")
    st, ls, _ = adm.call("GET", "/sessions")
    row = next(x for x in ls["sessions"] if x["user"] == "viewer")
    check(row["from"] == "127.0.0.7" and row["level"] == "User" and
          not row["current"] and row["idle_s"] >= 0, f"row {row}")
    check(not any("token" in x or "csrf" in x for x in ls["sessions"]),
          "no tokens in the list")
    check(sum(x["current"] for x in ls["sessions"]) == 1, "own row marked")
    st, _, _ = adm.call("DELETE", "/sessions/%d" % row["id"], csrf=False)
    check(st == 403, f"ending one needs the CSRF token -> {st}")
    st, r, _ = adm.call("DELETE", "/sessions/%d" % row["id"])
    check(st == 200 and r["ended"] == row["id"], f"end it -> {st} {r}")
    st, _, _ = v.call("GET", "/status")
    check(st == 401, f"its owner is logged out -> {st}")
    st, _, _ = adm.call("DELETE", "/sessions/%d" % row["id"])
    check(st == 404, f"ending it again -> {st}")
    for bad in ("abc", "-1", "1x", "99999999999"):
        st, _, _ = adm.call("DELETE", "/sessions/" + bad)
        check(st == 400, f"DELETE /sessions/{bad} -> {st}")
    adm.call("DELETE", "/users/viewer")


def t_cors_is_off(d, adm):
    pre = {"Origin": "http://evil.example",
           "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "X-CSRF-Token, Content-Type"}
    for path in ("/api/v1/session", "/api/v1/settings", "/"):
        st, h, _ = adm.raw("OPTIONS", path, headers=pre)
        check(st == 405, f"preflight {path} -> {st}")
        check(not any(k.startswith("access-control") for k in h),
              f"preflight {path} headers {h}")
    st, h, _ = adm.raw("GET", "/api/v1/status",
                       headers={"Origin": "http://evil.example"})
    check(st == 200 and "access-control-allow-origin" not in h,
          f"GET with Origin -> {st} {h}")
    # an answer civetweb writes itself (a request line it cannot parse)
    with socket.create_connection(("127.0.0.1", d.web_port), 5) as s:
        s.sendall(b"GARBAGE\r\nOrigin: http://evil.example\r\n\r\n")
        head = s.recv(4096).lower()
    check(head.startswith(b"http/1.") and
          b"access-control" not in head, f"civetweb's own answer {head}")


def t_foreign_host_is_refused(d, adm):
    for host in ("evil.example", f"evil.example:{d.web_port}",
                 "127.0.0.1.evil.example", "localhost.evil.example"):
        st, r, _ = adm.call("PUT", "/settings", {"location.city": "Rebound"},
                            headers={"Host": host})
        check(st == 421 and r["field"] == "Host" and "allowed_hosts" in
              r["error"], f"Host {host} -> {st} {r}")
    check(setting(adm, "location.city") != "Rebound", "nothing changed")
    st, _, _ = Client(d.web_port).call(
        "POST", "/session", {"user": "clearone", "password": "converge"},
        headers={"Host": "evil.example"})
    check(st == 421, f"login with a foreign Host -> {st}")
    for host in (f"127.0.0.1:{d.web_port}", "127.0.0.1", "localhost",
                 f"LocalHost:{d.web_port}", f"[::1]:{d.web_port}",
                 f"dsp.example.org:{d.web_port}", "tablet"):
        st, _, _ = adm.call("GET", "/status", headers={"Host": host})
        check(st == 200, f"Host {host} -> {st}")
    st, _, _ = adm.call("GET", "/status", headers={"Host": "room-7"})
    check(st == 421, f"not yet the unit's name -> {st}")
    st, _, _ = adm.call("PUT", "/settings", {"names.netbios": "ROOM-7"})
    check(st == 200, f"set the NetBIOS name -> {st}")
    st, _, _ = adm.call("GET", "/status", headers={"Host": "room-7:80"})
    check(st == 200, f"the unit's NetBIOS name -> {st}")
    st, h, _ = adm.raw("GET", "/", headers={"Host": "evil.example"})
    check(st == 200, f"the page itself (no API) -> {st}")
    evil = f"evil.example:{d.web_port}"
    ws = WebSocket(d.web_port, adm.cookie, origin="http://" + evil,
                   host=evil)
    check(ws.status != 101, f"websocket with a foreign Host -> {ws.status}")
    ws.close()


def t_json_media_type_matches_exactly(d, adm):
    for ct in ("application/jsonxyz", "application/json-patch+json",
               "text/json"):
        st, r, _ = adm.call("POST", "/command", {"command": "#** VER"},
                            headers={"Content-Type": ct})
        check(st == 415 and r["field"] == "Content-Type",
              f"Content-Type {ct} -> {st}")
    st, r, _ = adm.call("POST", "/command", {"command": "#** VER"},
                        headers={"Content-Type":
                                 "application/json; charset=utf-8"})
    check(st == 200, f"with a charset parameter -> {st}")


def t_logout_ends_session(d, adm):
    c = Client(d.web_port)
    c.login(*ADMIN)
    st, _, h = c.call("DELETE", "/session")
    check(st == 200 and "Max-Age=0" in h.get("set-cookie", ""), "logout")
    st, _, _ = c.call("GET", "/status")
    check(st == 401, f"after logout -> {st}")


def t_restore_with_one_bad_field_changes_nothing(d, adm):
    st, h, data = adm.raw("GET", "/api/v1/backup")
    check(st == 200 and "attachment" in h.get("content-disposition", ""),
          f"backup -> {st}")
    backup = json.loads(data)
    check(backup["settings"]["location.room"] == "Board room", "in backup")
    bad = json.loads(data)
    bad["settings"]["location.room"] = "Changed"
    bad["settings"]["network.mask"] = "255.0.255.0"
    st, r, _ = adm.call("POST", "/restore", bad)
    check(st == 400 and r["error"], f"bad restore -> {st} {r}")
    check(setting(adm, "location.room") == "Board room", "room unchanged")
    good = json.loads(data)
    good["settings"]["location.room"] = "Studio"
    st, r, _ = adm.call("POST", "/restore", good)
    check(st == 200 and r["restored"], f"good restore -> {st} {r}")
    check(setting(adm, "location.room") == "Studio", "restored room")


def t_websocket_snapshot_push_and_resync(d, adm):
    anon = WebSocket(d.web_port)
    check(anon.status != 101, f"websocket without login -> {anon.status}")
    anon.close()
    evil = WebSocket(d.web_port, adm.cookie, origin="http://evil.example")
    check(evil.status != 101, "websocket from another origin refused")
    evil.close()
    ws = WebSocket(d.web_port, adm.cookie)
    check(ws.status == 101, f"websocket -> {ws.status}")
    snap = ws.recv()
    check(snap["type"] == "snapshot" and snap["seq"] >= 1 and
          snap["model"] == "880TA", "snapshot first")
    st, r, _ = adm.call("POST", "/command", {"command": "#** GAIN 2 I -7 A"})
    check(not r["error"], f"gain 2 -> {r}")
    deadline = time.monotonic() + 5
    msg = None
    while time.monotonic() < deadline:
        m = ws.recv()
        if m.get("type") == "change" and m.get("what") == "gain":
            msg = m
            break
    check(msg is not None, "change pushed")
    check(msg["line"] == "#H0 GAIN 2 I -7.00 A", f"line {msg['line']!r}")
    check(msg["seq"] > snap["seq"] and msg["group"] == "I" and
          msg["index"] == 1 and msg["number"] == -7.0, f"change {msg}")
    check(msg["origin"] == "web" and msg["user"] == "clearone", "origin")
    ws.send({"resync": True})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        m = ws.recv()
        if m.get("type") == "snapshot":
            break
    check(m.get("type") == "snapshot" and m["seq"] >= msg["seq"],
          "resync snapshot")
    g = next(x for x in m["groups"] if x["group"] == "I")
    check(g["channels"][1]["gain"] == -7.0, "snapshot has the new gain")
    ws.close()


def t_websocket_closed_when_session_ends(d, adm):
    c = Client(d.web_port)
    c.login(*ADMIN)
    ws = WebSocket(d.web_port, c.cookie)
    check(ws.status == 101, f"websocket -> {ws.status}")
    ws.recv()
    st, _, _ = c.call("DELETE", "/session")
    check(st == 200, "logout")
    closed = False
    try:
        ws.recv(timeout=5)
    except ConnectionError:
        closed = True
    except OSError:
        pass
    check(closed, "websocket closed within 5 s of logout")
    ws.close()


def t_session_survives_concurrent_requests(d, adm):
    # 16 connections at once refresh the same session: none may see 401.
    # (From 4 addresses: one address may hold only max_per_address.)
    import threading
    statuses = []

    def worker(n):
        c = Client(d.web_port, source=f"127.0.3.{n % 4 + 1}")
        c.cookie, c.csrf = adm.cookie, adm.csrf
        for _ in range(100):
            statuses.append(c.call("GET", "/session")[0])
        c.close()
    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check(len(statuses) == 1600 and set(statuses) == {200},
          f"statuses {sorted(set(statuses))} of {len(statuses)}")


def t_lockout_after_repeated_failures(d, adm):
    c = Client(d.web_port, source="127.0.0.9")
    for i in range(3):
        st, _, _ = c.login("clearone", "bad-%d" % i)
        check(st == 401, f"failure {i + 1} -> {st}")
    st, body, h = c.login(*ADMIN)
    check(st == 429 and int(h["retry-after"]) >= 1,
          f"locked out even with the right password -> {st}")
    other = Client(d.web_port, source="127.0.0.10")
    st, _, _ = other.login(*ADMIN)
    check(st == 200, "another address is not locked")
    time.sleep(int(h["retry-after"]) + 0.3)
    st, _, _ = c.login(*ADMIN)
    check(st == 200, f"after the delay -> {st}")
    st, s, _ = adm.call("GET", "/status")
    check(any("locked" in e["text"] and "127.0.0.9" in e["text"]
              for e in s["events"]), "lockout event logged")


TESTS = [
    t_static_page_and_etag,
    t_api_needs_login,
    t_login_wrong_password_is_401,
    t_login_sets_strict_cookie,
    t_status_shows_identity_and_warning,
    t_command_gain_replies_like_telnet,
    t_audio_lists_model_channels,
    t_csrf_missing_or_wrong_is_403_and_unchanged,
    t_bad_requests_are_4xx_and_change_nothing,
    t_settings_put_validates_all_first,
    t_levels_enforced_server_side,
    t_user_logins_capped_admin_still_gets_in,
    t_deleted_user_sessions_end_at_once,
    t_full_table_keeps_room_for_admin,
    t_admin_lists_and_ends_sessions,
    t_cors_is_off,
    t_foreign_host_is_refused,
    t_json_media_type_matches_exactly,
    t_logout_ends_session,
    t_restore_with_one_bad_field_changes_nothing,
    t_websocket_snapshot_push_and_resync,
    t_websocket_closed_when_session_ends,
    t_session_survives_concurrent_requests,
    t_lockout_after_repeated_failures,
]


def main():
    d = Daemon(web_extra="max_body = 65536\nsession_idle = 120\n"
               "lockout_after = 3\n"
               "allowed_hosts = dsp.example.org, tablet\n")
    failed = 0
    try:
        adm = Client(d.web_port)
        for t in TESTS:
            try:
                t(d, adm)
                print("ok", t.__name__[2:])
            except Exception:
                failed += 1
                print("FAIL", t.__name__[2:])
                traceback.print_exc()
    finally:
        rc, took = d.stop()
    print(f"daemon exit {rc} after SIGTERM in {took:.2f} s")
    if rc != 0 or took > 2.5:
        failed += 1
        print("FAIL stop_within_budget")
    print(f"{len(TESTS) - failed if failed <= len(TESTS) else 0}/"
          f"{len(TESTS)} passed" if not failed else f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
