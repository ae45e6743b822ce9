#!/usr/bin/env python3
"""Stateful stand-in for SLURM 22.05's sacctmgr, sacct and scancel (plus id and mkhomedir_helper), for the
agent's fast tests.

It covers the commands the agent runs (see SacctmgrCommands, SacctCommands, UnixUserCommands) and prints them
the way a real sacctmgr 22.05.8 did in shared/tools/slurm-local/agent-commands-check*.out.txt. Anything else
fails loudly rather than pretending: the point of the fake is that a test passing here means the real thing
would behave the same.

Jobs do not run: tests seed them (FakeSlurm.addJob) with a fixed state and elapsed time, sacct lists them
and scancel marks them CANCELLED. sacct ignores time windows: every seeded job is inside any window.

Usage (the wrapper scripts FakeSlurm writes do this):
    fake_slurm.py <argv0> <state-dir> [args...]     behave as basename(argv0): sacctmgr, sacct, scancel,
                                                    id or mkhomedir_helper
    fake_slurm.py --reset <state-dir> [cluster]     write the initial state, clear calls and failures

State directory:
    state.json      accounts, associations, limits, QoS, seeded jobs, Unix users, mkhomedir_helper calls
                    (format: default_state below)
    calls.jsonl     one line per invocation: {"argv": [argv0, args...], "rc": n[, "injected": true]}
    fail-next.json  optional failure injection: one rule or a list of rules
                    {"match": "add account", "times": 1, "rc": 1, "stderr": "...", "stdout": ""};
                    a rule applies when "match" is a substring of "<program> <args joined by spaces>",
                    then its "times" is decremented and the rule dropped at 0. Nothing else happens.

Exit codes beyond sacctmgr's own: 2 = a valid request the fake does not emulate, 3 = a write without
--immediate (real sacctmgr would wait for a confirmation, or spin forever with stdin at EOF).
"""
import fcntl
import os
import sys

try:
    # The json package costs ~25 ms of imports (re, enum) on every call, half of the 50 ms budget per call;
    # its C accelerator alone is enough to read and write the small files here.
    import _json

    class _Ctx:
        strict, object_hook, object_pairs_hook, memo = True, None, None, {}
        parse_float, parse_int = float, int

        @staticmethod
        def parse_constant(name):
            raise ValueError("unexpected JSON constant " + name)

    _scan = _json.make_scanner(_Ctx())
    _quote = _json.encode_basestring_ascii

    def json_loads(text):
        text = text.strip()
        value, end = _scan(text, 0)
        if end != len(text):
            raise ValueError("trailing data in JSON")
        return value

    def json_dumps(value):
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, str):
            return _quote(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, dict):
            return "{" + ", ".join(_quote(str(k)) + ": " + json_dumps(value[k]) for k in sorted(value)) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(json_dumps(v) for v in value) + "]"
        raise TypeError("not JSON serialisable: %r" % (value,))
except (ImportError, AttributeError):  # not CPython: take the slow road
    import json

    json_loads = json.loads

    def json_dumps(value):
        return json.dumps(value, sort_keys=True)

VERSION = "slurm-wlm 22.05.8"
STATE = "state.json"
CALLS = "calls.jsonl"
FAILURES = "fail-next.json"


def default_state(cluster="waldur-test"):
    tres = [("cpu", "", 1), ("mem", "", 2), ("energy", "", 3), ("node", "", 4), ("billing", "", 5),
            ("fs", "disk", 6), ("vmem", "", 7), ("pages", "", 8), ("gres", "gpu", 1001)]
    return {
        "version": 1,
        "cluster": cluster,
        "tres": [{"type": t, "name": n, "id": i} for t, n, i in tres],
        "qos_names": ["normal"],
        # account records (global, like sacctmgr's acct_table)
        "accounts": {"root": {"description": "default root account", "organization": "root"}},
        # account associations on the one cluster: parent, GrpTRESMins (SLURM units, mem in MB), QoS list, share
        "account_assocs": {"root": {"parent": None, "grp_tres_mins": {}, "qos": ["normal"], "share": "1"}},
        # user records: default account ("" once it was removed)
        "users": {},
        # user associations; qos None = inherited from the account association; max_tres_mins like grp_tres_mins
        "user_assocs": [],
        # seeded jobs: {"id", "account", "user", "req_tres", "elapsed" (seconds), "state"}
        "jobs": [],
        "next_job_id": 1001,
        # Unix users `id -u` and sacct/scancel know: name -> uid
        "unix_users": {"root": 0},
        # mkhomedir_helper calls: {"user", "umask"}
        "homedir_calls": [],
    }


class Result(Exception):
    def __init__(self, rc, out="", err="", changed=False):
        super().__init__(rc)
        self.rc, self.out, self.err, self.changed = rc, out, err, changed


def fail(rc, err="", out=""):
    raise Result(rc, out, err)


def unsupported(what):
    fail(2, "fake-sacctmgr: not emulated: %s\n" % what)


# ---------------------------------------------------------------------------------------------- helpers

def strip_quotes(value, lower=False):
    """sacctmgr's strip_quotes: a leading quote ends at the next same quote; other quotes become '`'."""
    if value[:1] in ('"', "'"):
        q, rest = value[0], value[1:]
        end = rest.find(q)
        value = rest if end < 0 else rest[:end]
    value = value.replace('"', "`").replace("'", "`")
    return value.lower() if lower else value


def name_list(value):
    return [strip_quotes(v, lower=True) for v in value.split(",") if v != ""]


def tres_names(state):
    return {t["type"] + ("/" + t["name"] if t["name"] else "") for t in state["tres"]}


def format_tres(values):
    parts = []
    for key in sorted(values):
        v = values[key]
        if key == "mem":
            parts.append("mem=" + format_mem(v))
        else:
            parts.append("%s=%d" % (key, v))
    return ",".join(parts)


def format_mem(mb):
    """22.05 prints memory with the largest unit that divides it exactly (614400 -> 600G)."""
    if mb == 0:
        return "0"
    units, i = "MGTPE", 0
    while mb % 1024 == 0 and i < len(units) - 1:
        mb //= 1024
        i += 1
    return "%d%s" % (mb, units[i])


def parse_clauses(tokens, keys):
    """Split 'name ... [where] k=v ... [set] k=v ...' into bare names, conditions and settings.

    keys maps lower-case accepted keys to canonical ones; an unknown key is refused like sacctmgr does.
    Returns (names, conds, sets) with conds/sets as lists of (key, op, value).
    """
    names, conds, sets, mode = [], [], [], "cond"
    for t in tokens:
        low = t.lower()
        if low == "where":
            mode = "cond"
            continue
        if low == "set":
            mode = "set"
            continue
        eq = t.find("=")
        if eq < 0:
            if mode == "set":
                fail(1, " Bad format on %s: End your option with an '=' sign\n" % t)
            if low.startswith("with") or low in ("wolimits", "woplimits", "wopinfo", "onlydefaults", "tree"):
                unsupported("keyword " + t)
            names.append(t)  # like sacctmgr, 'and' lands here too
            continue
        key, op = t[:eq], "="
        if key[-1:] in ("+", "-"):
            key, op = key[:-1], key[-1] + "="
        canonical = keys.get(key.lower())
        if canonical is None:
            if mode == "set":
                fail(1, " Unknown option: %s\n Use keyword 'where' to modify condition\n" % t)
            fail(1, " Unknown condition: %s\n Use keyword 'set' to modify SLURM_PRINT_VALUE\n" % t)
        (conds if mode == "cond" else sets).append((canonical, op, t[eq + 1:]))
    return names, conds, sets


def cond_values(conds, key):
    values = []
    for k, _, v in conds:
        if k == key:
            values.extend(name_list(v))
    return values


def check_cluster(state, conds, writing):
    """True when the command addresses the fake's cluster (or none); writes to another cluster fail."""
    clusters = cond_values(conds, "cluster")
    if not clusters or state["cluster"] in clusters:
        return True
    if writing:
        fail(1, " This cluster '%s' doesn't exist.\n        Contact your admin to add it to accounting.\n"
             % clusters[0])
    return False


def effective_qos(state, ua):
    if ua.get("qos") is not None:
        return ua["qos"]
    return state["account_assocs"].get(ua["account"], {}).get("qos", [])


def descendants(state, account):
    """The account and every account below it, parents first."""
    found, frontier = [account], [account]
    while frontier:
        nxt = [a for a, aa in state["account_assocs"].items() if aa["parent"] in frontier and a not in found]
        found.extend(sorted(nxt))
        frontier = nxt
    return found


def drop_orphan_users(state):
    """Users without associations disappear (sacctmgr: 'Deleting users (No Associations)')."""
    with_assoc = {ua["user"] for ua in state["user_assocs"]}
    for user in list(state["users"]):
        if user not in with_assoc:
            del state["users"][user]
    for user, rec in state["users"].items():
        if not any(ua["user"] == user and ua["account"] == rec["default_account"] for ua in state["user_assocs"]):
            rec["default_account"] = ""


def short_cluster(state):
    return state["cluster"][:10]


# --------------------------------------------------------------------------------------------- accounts

ACCOUNT_FIELDS = {"account": "account", "acct": "account", "name": "account", "description": "descr",
                  "descr": "descr", "organization": "org", "org": "org"}


def show_account(state, tokens):
    names, conds, _ = parse_clauses(tokens, {"name": "name", "names": "name", "account": "name",
                                             "accounts": "name", "cluster": "cluster", "clusters": "cluster",
                                             "format": "format", "organization": "organization",
                                             "organizations": "organization", "description": "description",
                                             "descriptions": "description"})
    # cluster= does not filter account records (slurm.md §5), so it is accepted and ignored.
    # like sacctmgr, a bare name may be a comma list: show account a,b,c
    wanted = set(n for v in names for n in name_list(v)) | set(cond_values(conds, "name"))
    orgs = set(cond_values(conds, "organization"))
    fields = format_fields(conds, ACCOUNT_FIELDS, ["account", "descr", "org"])
    rows = []
    for name in sorted(state["accounts"]):
        rec = state["accounts"][name]
        if wanted and name not in wanted:
            continue
        if orgs and rec["organization"] not in orgs:
            continue
        values = {"account": name, "descr": rec["description"], "org": rec["organization"]}
        rows.append("|".join(values[f] for f in fields))
    return Result(0, "".join(r + "\n" for r in rows))


def format_fields(conds, known, default):
    fields = []
    for k, _, v in conds:
        if k == "format":
            for f in v.split(","):
                canonical = known.get(f.lower())
                if canonical is None:
                    fail(1, " Unknown field '%s'\n" % f)
                fields.append(canonical)
    return fields or default


def add_account(state, tokens):
    names, conds, _ = parse_clauses(tokens, {"name": "name", "names": "name", "cluster": "cluster",
                                             "clusters": "cluster", "description": "description",
                                             "organization": "organization", "parent": "parent",
                                             "fairshare": "share", "share": "share",
                                             "grptresmins": "grptresmins", "maxtresmins": "maxtresmins",
                                             "grptres": "grptres"})
    check_cluster(state, conds, writing=True)
    names = [n for v in names for n in name_list(v)] + cond_values(conds, "name")
    if not names:
        fail(1, " Need name of account to add.\n")
    opts = {k: v for k, _, v in conds}
    parent = strip_quotes(opts.get("parent", "root"), lower=True)
    if parent not in state["account_assocs"]:
        fail(1, " error: Parent account '%s' doesn't exist on cluster %s\n" % (parent, state["cluster"]))
    # association limits given with the add (sacctmgr takes the same keys as for modify … set)
    limits = {LIMIT_KEYS[k]: parse_tres_setting(state, opts[k], SET_NAMES[k]) for k in LIMIT_KEYS if k in opts}
    description = strip_quotes(opts["description"], lower=True) if "description" in opts else None
    organization = strip_quotes(opts["organization"], lower=True) if "organization" in opts else None
    new_records, new_assocs = [], []
    for name in names:
        if name not in state["accounts"]:
            state["accounts"][name] = {
                "description": description if description is not None else name,
                "organization": organization if organization is not None
                else (parent if parent != "root" else name)}
            new_records.append(name)
        if name not in state["account_assocs"]:
            state["account_assocs"][name] = {"parent": parent, "grp_tres_mins": {}, "grp_tres": {},
                                             "max_tres_mins": {}, "raw_usage_resets": 0,
                                             "qos": list(state["account_assocs"][parent]["qos"]),
                                             "share": opts.get("share", "1")}
            for field, values in limits.items():
                merge_tres(state["account_assocs"][name][field], values)
            new_assocs.append(name)
    if not new_records and not new_assocs:
        return Result(1, " Nothing new added.\n")
    out = " Adding Account(s)\n" + "".join("  %s\n" % n for n in new_records)
    if new_records:
        rec = state["accounts"][new_records[0]]
        out += " Settings\n  Description     = %s\n  Organization    = %s\n" % (rec["description"], rec["organization"])
    out += " Associations\n" + "".join("  A = %-10s C = %s\n" % (n, short_cluster(state)) for n in new_assocs)
    out += " Settings\n" + "".join("  %-13s = %s\n" % (SET_NAMES[k], format_tres(limits[LIMIT_KEYS[k]]))
                                   for k in LIMIT_KEYS if k in opts)
    out += "  Parent        = %s\n" % parent
    return Result(0, out, changed=True)


def modify_account(state, tokens):
    names, conds, sets = parse_clauses(tokens, {"name": "name", "names": "name", "account": "name",
                                                "accounts": "name", "cluster": "cluster", "clusters": "cluster",
                                                "grptresmins": "grptresmins", "qos": "qos", "qoslevel": "qos",
                                                "fairshare": "share", "share": "share", "parent": "parent",
                                                "description": "description", "organization": "organization",
                                                "defaultqos": "defaultqos", "grpsubmitjobs": "grpsubmitjobs",
                                                "grptres": "grptres", "maxtresmins": "maxtresmins",
                                                "rawusage": "rawusage"})
    if not sets:
        fail(1, " You didn't give me anything to set\n")
    for key, _, _ in sets:
        if key in ("defaultqos", "grpsubmitjobs", "description", "organization"):
            unsupported("modify account set " + key)
        if key in ("name", "cluster"):
            fail(1, " Unknown option: %s\n Use keyword 'where' to modify condition\n" % key)
    if any(key == "rawusage" for key, _, _ in sets):
        return reset_raw_usage(state, names, conds, sets)
    if not check_cluster(state, conds, writing=False):
        return Result(1, " Nothing modified\n")
    targets = [n.lower() for n in names if n.lower() != "and"] + cond_values(conds, "name")
    if not targets:
        unsupported("modify account without an account name")
    targets = [t for t in dict.fromkeys(targets) if t in state["account_assocs"]]
    changes = []
    for key, op, value in sets:
        if key in LIMIT_KEYS:
            changes.append(("tres", (LIMIT_KEYS[key], parse_tres_setting(state, value, SET_NAMES[key]))))
        elif key == "qos":
            qos = name_list(value)
            bad = [q for q in qos if q not in state["qos_names"]]
            if bad:
                fail(1, "sacctmgr: error: You gave a bad qos '%s'.  Valid QOS's are %s\n"
                        " Unknown option: qos%s%s\n Use keyword 'where' to modify condition\n"
                     % (bad[0], ",".join(state["qos_names"]), op, value))
            changes.append(("qos", (op, qos)))
        elif key == "share":
            if not (value.isdigit() or value.lower() == "parent"):
                unsupported("fairshare=%s (only a number or parent)" % value)
            changes.append(("share", value.lower()))
        elif key == "parent":
            changes.append(("parent", strip_quotes(value, lower=True)))
    if not targets:
        return Result(1, " Nothing modified\n")
    modified = False
    for account in targets:
        aa = state["account_assocs"][account]
        for kind, change in changes:
            if kind == "tres":
                field, values = change
                merge_tres(aa.setdefault(field, {}), values)
                modified = True  # 22.05 reports association limits as modified even when unchanged
            elif kind == "qos":
                op, qos = change
                current = aa["qos"]
                if op == "=":
                    aa["qos"] = sorted(set(qos))
                elif op == "+=":
                    aa["qos"] = sorted(set(current) | set(qos))
                else:
                    aa["qos"] = sorted(set(current) - set(qos))
                modified = True
            elif kind == "share":
                aa["share"] = change
                modified = True
            elif kind == "parent":
                if change not in state["account_assocs"]:
                    fail(1, " error: Parent account '%s' doesn't exist on cluster %s\n" % (change, state["cluster"]))
                if change in descendants(state, account):
                    fail(1, " error: Can't move %s under its own child\n" % account)
                if aa["parent"] != change:
                    aa["parent"] = change
                    modified = True
    if not modified:
        return Result(1, " Nothing modified\n")
    lines = []
    for account in targets:
        lines.append("  C = %s A = %s of %s\n" % (state["cluster"], account, state["account_assocs"][account]["parent"]))
        if any(k == "qos" for k, _ in changes):
            for ua in sorted((u for u in state["user_assocs"] if u["account"] == account),
                             key=lambda u: (u["user"], u["partition"])):
                lines.append("  C = %s A = %-20s U = %-9s%s\n" % (state["cluster"], account, ua["user"],
                                                               " P = " + ua["partition"] if ua["partition"] else ""))
    return Result(0, " Modified account associations...\n" + "".join(lines), changed=True)


# TRES limits an association can carry: sacctmgr key -> state field (values in SLURM units, mem in MB)
LIMIT_KEYS = {"grptresmins": "grp_tres_mins", "maxtresmins": "max_tres_mins", "grptres": "grp_tres"}
SET_NAMES = {"grptresmins": "GrpTRESMins", "maxtresmins": "MaxTRESMins", "grptres": "GrpTRES"}


def parse_tres_setting(state, value, setting="GrpTRESMins"):
    known = tres_names(state)
    result = {}
    for entry in value.split(","):
        eq = entry.find("=")
        key, raw = (entry[:eq], entry[eq + 1:]) if eq > 0 else (entry, "")
        if key.lower() not in known:
            fail(1, "sacctmgr: error: slurmdb_format_tres_str: no TRES known by type %s\n"
                    " Unknown option: %s=%s\n Use keyword 'where' to modify condition\n" % (key, setting, value))
        if not (raw.isdigit() or raw == "-1"):
            fail(1, " Bad %s value: %s\n Unknown option: %s=%s\n" % (setting, entry, setting, value))
        result[key.lower()] = int(raw)
    return result


def merge_tres(limits, values):
    """One modify changes only the TRES it names; -1 removes a limit."""
    for tres, v in values.items():
        if v == -1:
            limits.pop(tres, None)
        else:
            limits[tres] = v


def reset_raw_usage(state, names, conds, sets):
    """modify account <a> set RawUsage=0 (sacctmgr_remove_assoc_usage): not a modify, so no 'Modified' text."""
    if len(sets) != 1:
        unsupported("RawUsage together with other settings (22.05 resets usage and ignores the rest)")
    if sets[0][2] != "0":
        unsupported("RawUsage=%s (only 0 resets usage)" % sets[0][2])
    clusters = cond_values(conds, "cluster")
    if clusters and state["cluster"] not in clusters:
        unsupported("RawUsage on a cluster the fake does not have")
    targets = list(dict.fromkeys([n.lower() for n in names if n.lower() != "and"] + cond_values(conds, "name")))
    if not targets:
        fail(1, "sacctmgr: error: An association name is required to remove usage\n")
    missing = [t for t in targets if t not in state["account_assocs"]]
    if missing:
        unsupported("RawUsage=0 of an account without an association: " + ",".join(missing))
    for t in targets:
        aa = state["account_assocs"][t]
        aa["raw_usage_resets"] = aa.get("raw_usage_resets", 0) + 1
    out = "" if clusters else "No cluster specified, resetting on local cluster %s\n" % state["cluster"]
    return Result(0, out, changed=True)


def remove_account(state, tokens):
    names, conds, sets = parse_clauses(tokens, {"name": "name", "names": "name", "account": "name",
                                                "accounts": "name", "cluster": "cluster", "clusters": "cluster"})
    if sets:
        fail(1, " Unknown option: set\n")
    with_cluster = bool(cond_values(conds, "cluster"))
    if not check_cluster(state, conds, writing=False):
        return Result(1, " Nothing deleted\n")
    targets = list(dict.fromkeys([n.lower() for n in names] + cond_values(conds, "name")))
    if not targets:
        unsupported("remove account without a name")
    if "root" in targets:
        fail(1, " You can not remove the root account\n")
    if with_cluster:
        # Only the associations on that cluster go; the account record stays (slurm.md §5).
        doomed = [a for t in targets if t in state["account_assocs"] for a in descendants(state, t)]
        if not doomed:
            return Result(1, " Nothing deleted\n")
        lines = ["  C = %s A = %s of %s\n" % (state["cluster"], a, state["account_assocs"][a]["parent"]) for a in doomed]
        lines += ["  C = %s A = %-10s U = %-9s%s\n" % (state["cluster"], ua["account"], ua["user"],
                                                      " P = " + ua["partition"] if ua["partition"] else "")
                  for ua in state["user_assocs"] if ua["account"] in doomed]
        out = " Deleting account associations...\n" + "".join(lines)
    else:
        existing = [t for t in targets if t in state["accounts"] or t in state["account_assocs"]]
        if not existing:
            return Result(1, " Nothing deleted\n")
        # Like slurmdbd, removing an account takes the whole subtree below it.
        doomed = [a for t in existing for a in (descendants(state, t) if t in state["account_assocs"] else [t])]
        for a in doomed:
            state["accounts"].pop(a, None)
        out = " Deleting accounts...\n" + "".join("  %s\n" % a for a in doomed)
    for a in doomed:
        state["account_assocs"].pop(a, None)
    state["user_assocs"] = [ua for ua in state["user_assocs"] if ua["account"] not in doomed]
    drop_orphan_users(state)
    return Result(0, out, changed=True)


# ----------------------------------------------------------------------------------------- associations

ASSOC_FIELDS = {"cluster": "cluster", "account": "account", "acct": "account", "user": "user",
                "partition": "partition", "share": "share", "fairshare": "share", "grptresmins": "grptresmins",
                "qos": "qos", "defaultqos": "defqos", "parentname": "parentname", "maxtresmins": "maxtresmins",
                "grptres": "grptres"}
DEFAULT_ASSOC_FORMAT = ["cluster", "account", "user", "partition", "share", "priority", "grpjobs", "grptres",
                        "grpsubmit", "grpwall", "grptresmins", "maxjobs", "maxtres", "maxtrespernode", "maxsubmit",
                        "maxwall", "maxtresmins", "qos", "defqos", "grptresrunmins"]


def show_association(state, tokens):
    names, conds, _ = parse_clauses(tokens, {"account": "account", "accounts": "account", "acct": "account",
                                             "user": "user", "users": "user", "partition": "partition",
                                             "partitions": "partition", "cluster": "cluster",
                                             "clusters": "cluster", "format": "format"})
    if names:
        unsupported("bare arguments to show association: " + " ".join(names))
    fields = format_fields(conds, ASSOC_FIELDS, DEFAULT_ASSOC_FORMAT)
    if not check_cluster(state, conds, writing=False):
        return Result(0, "")
    accounts = set(cond_values(conds, "account"))
    users = set(cond_values(conds, "user"))
    partitions = set(cond_values(conds, "partition"))
    rows = []
    for account in sorted(state["account_assocs"]):
        if accounts and account not in accounts:
            continue
        aa = state["account_assocs"][account]
        if not users and not partitions:
            rows.append({"cluster": state["cluster"], "account": account, "user": "", "partition": "",
                         "share": aa["share"], "grptresmins": format_tres(aa["grp_tres_mins"]),
                         "grptres": format_tres(aa.get("grp_tres", {})),
                         "maxtresmins": format_tres(aa.get("max_tres_mins", {})),
                         "qos": ",".join(aa["qos"]), "defqos": "", "parentname": aa["parent"] or ""})
        for ua in sorted((u for u in state["user_assocs"] if u["account"] == account),
                         key=lambda u: (u["user"], u["partition"])):
            if (users and ua["user"] not in users) or (partitions and ua["partition"] not in partitions):
                continue
            rows.append({"cluster": state["cluster"], "account": account, "user": ua["user"],
                         "partition": ua["partition"], "share": ua["share"], "grptresmins": "",
                         "maxtresmins": format_tres(ua.get("max_tres_mins") or {}),
                         "qos": ",".join(effective_qos(state, ua)), "defqos": ua.get("defqos") or "",
                         "parentname": ""})
    return Result(0, "".join("|".join(r.get(f, "") for f in fields) + "\n" for r in rows))


def add_user(state, tokens):
    names, conds, _ = parse_clauses(tokens, {"name": "name", "names": "name", "account": "account",
                                             "accounts": "account", "defaultaccount": "defaultaccount",
                                             "share": "share", "fairshare": "share", "partition": "partition",
                                             "partitions": "partition", "qoslevel": "qos", "qos": "qos",
                                             "defaultqos": "defqos", "cluster": "cluster", "clusters": "cluster"})
    check_cluster(state, conds, writing=True)
    users = [n.lower() for n in names] + cond_values(conds, "name")
    if not users:
        fail(1, " Need name of user to add.\n")
    accounts = cond_values(conds, "account")
    if not accounts:
        fail(1, " Need name of account to add user to.\n")
    opts = {k: v for k, _, v in conds}
    default = strip_quotes(opts["defaultaccount"], lower=True) if "defaultaccount" in opts else None
    for account in accounts + ([default] if default else []):
        if account not in state["account_assocs"]:
            fail(1, " This account '%s' doesn't exist.\n        Contact your admin to add this account.\n" % account)
    qos = name_list(opts["qos"]) if "qos" in opts else None
    for q in (qos or []) + ([opts["defqos"]] if "defqos" in opts else []):
        if q not in state["qos_names"]:
            fail(1, "sacctmgr: error: You gave a bad qos '%s'.  Valid QOS's are %s\n" % (q, ",".join(state["qos_names"])))
    partitions = cond_values(conds, "partition") or [""]
    share = opts.get("share", "1")
    new_users, added = [], []

    def ensure(user, account, partition, explicit):
        if any(u["user"] == user and u["account"] == account and u["partition"] == partition
               for u in state["user_assocs"]):
            return
        state["user_assocs"].append({"account": account, "user": user, "partition": partition,
                                     "share": share if explicit else "1",
                                     "qos": sorted(qos) if (qos and explicit) else None,
                                     "defqos": opts.get("defqos") if explicit else None})
        added.append((user, account, partition))

    for user in users:
        if user not in state["users"]:
            state["users"][user] = {"default_account": default or accounts[0]}
            new_users.append(user)
        elif default:
            state["users"][user]["default_account"] = default
        for account in accounts:
            for partition in partitions:
                ensure(user, account, partition, True)
        # DefaultAccount= also creates the user->default association (slurm.md §4, the user->root side effect)
        if default and not any(u["user"] == user and u["account"] == default for u in state["user_assocs"]):
            ensure(user, default, "", False)
    if not added:
        return Result(1, " Nothing new added.\n")
    out = ""
    if new_users:
        out += " Adding User(s)\n" + "".join("  %s\n" % u for u in new_users)
        if default:
            out += " Settings =\n  Default Account = %s\n" % default
    out += " Associations =\n" + "".join(
        "  U = %-9s A = %-10s C = %s%s\n" % (u, a, short_cluster(state), " P = %-10s" % p if p else "")
        for u, a, p in added)
    out += " Non Default Settings\n"
    if share != "1":
        out += "  Fairshare     = %s\n" % share
    return Result(0, out, changed=True)


def modify_user(state, tokens):
    """modify user <u> where account=<a> [partition=<p>] [cluster=<c>] set MaxTRESMins=... (association limits only)."""
    names, conds, sets = parse_clauses(tokens, {"name": "name", "names": "name", "user": "name", "users": "name",
                                                "account": "account", "accounts": "account",
                                                "partition": "partition", "partitions": "partition",
                                                "cluster": "cluster", "clusters": "cluster",
                                                "maxtresmins": "maxtresmins", "grptresmins": "grptresmins",
                                                "grptres": "grptres", "defaultaccount": "defaultaccount",
                                                "qos": "qos", "qoslevel": "qos", "fairshare": "share",
                                                "share": "share", "rawusage": "rawusage"})
    if not sets:
        fail(1, " You didn't give me anything to set\n")
    for key, _, _ in sets:
        if key in ("name", "account", "partition", "cluster"):
            fail(1, " Unknown option: %s\n Use keyword 'where' to modify condition\n" % key)
        if key != "maxtresmins":
            unsupported("modify user set " + key)
    users = set(n.lower() for n in names if n.lower() != "and") | set(cond_values(conds, "name"))
    if not users:
        unsupported("modify user without a user name")
    accounts = set(cond_values(conds, "account"))
    partitions = set(cond_values(conds, "partition"))
    values = parse_tres_setting(state, sets[0][2], "MaxTRESMins")
    if not check_cluster(state, conds, writing=False):
        return Result(1, " Nothing modified\n")
    matched = [ua for ua in state["user_assocs"]
               if ua["user"] in users and (not accounts or ua["account"] in accounts)
               and (not partitions or ua["partition"] in partitions)]
    if not matched:
        return Result(1, " Nothing modified\n")
    for ua in matched:
        limits = ua.get("max_tres_mins") or {}
        merge_tres(limits, values)
        ua["max_tres_mins"] = limits
    lines = ["  C = %s A = %-20s U = %-9s%s\n" % (state["cluster"], ua["account"], ua["user"],
                                                   " P = " + ua["partition"] if ua["partition"] else "")
             for ua in sorted(matched, key=lambda u: (u["account"], u["user"], u["partition"]))]
    return Result(0, " Modified user associations...\n" + "".join(lines), changed=True)


def remove_user(state, tokens):
    names, conds, sets = parse_clauses(tokens, {"name": "name", "names": "name", "user": "name", "users": "name",
                                                "account": "account", "accounts": "account",
                                                "partition": "partition", "partitions": "partition",
                                                "cluster": "cluster", "clusters": "cluster"})
    if sets:
        fail(1, " Unknown option: set\n")
    if not check_cluster(state, conds, writing=False):
        return Result(1, " Nothing deleted\n")
    # 'and' is a bare word, so sacctmgr puts it into the user list; it only matters for a user called 'and'.
    users = set(n.lower() for n in names) | set(cond_values(conds, "name"))
    accounts = set(cond_values(conds, "account"))
    partitions = set(cond_values(conds, "partition"))
    if not accounts and not (users - {"and"}):
        unsupported("remove user without a user or account condition")
    doomed = [ua for ua in state["user_assocs"]
              if (not users or ua["user"] in users) and (not accounts or ua["account"] in accounts)
              and (not partitions or ua["partition"] in partitions)]
    if not doomed:
        return Result(1, " Nothing deleted\n")
    state["user_assocs"] = [ua for ua in state["user_assocs"] if ua not in doomed]
    drop_orphan_users(state)
    out = " Deleting user associations...\n" + "".join(
        "  C = %s A = %-10s U = %-9s%s\n" % (state["cluster"], ua["account"], ua["user"],
                                            " P = " + ua["partition"] if ua["partition"] else "")
        for ua in doomed)
    return Result(0, out, changed=True)


# ------------------------------------------------------------------------------------------------- misc

def list_tres(state, tokens):
    if tokens:
        unsupported("list tres with arguments")
    return Result(0, "".join("%s|%s|%d\n" % (t["type"], t["name"], t["id"]) for t in state["tres"]))


def list_cluster(state, tokens):
    _, conds, _ = parse_clauses(tokens, {"format": "format", "cluster": "cluster", "clusters": "cluster"})
    format_fields(conds, {"cluster": "cluster", "name": "cluster"}, ["cluster"])
    return Result(0, state["cluster"] + "\n")


ENTITIES = {"account": "account", "accounts": "account", "association": "association",
            "associations": "association", "assoc": "association", "user": "user", "users": "user",
            "tres": "tres", "cluster": "cluster", "clusters": "cluster", "qos": "qos"}
VERBS = {"show": "show", "list": "show", "add": "add", "create": "add", "modify": "modify", "update": "modify",
         "remove": "remove", "delete": "remove"}
HANDLERS = {("show", "account"): show_account, ("add", "account"): add_account,
            ("modify", "account"): modify_account, ("remove", "account"): remove_account,
            ("show", "association"): show_association, ("add", "user"): add_user,
            ("remove", "user"): remove_user, ("modify", "user"): modify_user, ("show", "tres"): list_tres,
            ("show", "cluster"): list_cluster}


def sacctmgr(state, args):
    flags, words = set(), []
    for a in args:
        if a.startswith("--") and len(a) > 2:
            long_flags = {"--parsable2": "P", "--noheader": "n", "--immediate": "i", "--version": "V",
                          "--parsable": "p"}
            if a not in long_flags:
                fail(1, "sacctmgr: unrecognized option '%s'\nTry \"sacctmgr --help\" for more information\n" % a)
            flags.add(long_flags[a])
        elif a.startswith("-") and len(a) > 1 and "=" not in a:
            for c in a[1:]:
                if c not in "PniVp":
                    fail(1, "sacctmgr: invalid option -- '%s'\nTry \"sacctmgr --help\" for more information\n" % c)
                flags.add(c)
        else:
            words.append(a)
    if "V" in flags:
        return Result(0, VERSION + "\n")
    if "p" in flags:
        unsupported("--parsable (trailing '|'); use --parsable2")
    if len(words) < 2:
        fail(1, " No command given\n" if not words else " Need an entity for %s\n" % words[0])
    verb = VERBS.get(words[0].lower())
    if verb is None:
        fail(1, " invalid keyword: %s\n" % words[0])
    entity = ENTITIES.get(words[1].lower())
    if entity is None:
        fail(1, " No valid entity in %s command\n Input line must include \"Account\", \"Association\", ... \n" % words[0])
    if verb != "show" and "i" not in flags:
        fail(3, "fake-sacctmgr: '%s' without --immediate: real sacctmgr would ask 'Would you like to commit "
                "changes?' and wait (22.05 spins forever with stdin at EOF)\n" % " ".join(words[:2]))
    if verb == "show" and not ("P" in flags and "n" in flags):
        unsupported("table output; the fake prints --parsable2 --noheader only")
    handler = HANDLERS.get((verb, entity))
    if handler is None:
        unsupported("%s %s" % (words[0], words[1]))
    return handler(state, words[2:])


def scancel(state, args):
    i, account, user, cluster = 0, None, None, None
    while i < len(args):
        a = args[i]
        if a in ("-A", "--account", "-u", "--user", "-M", "--clusters", "--cluster"):
            if i + 1 >= len(args):
                fail(1, "scancel: option requires an argument -- '%s'\n" % a.lstrip("-"))
            value, i = args[i + 1], i + 2
        elif a.startswith(("--account=", "--user=", "--cluster=", "--clusters=")):
            a, value = a.split("=", 1)
            i += 1
        elif a in ("-f", "--full"):
            i += 1
            continue
        elif a.startswith("-"):
            fail(1, "scancel: unrecognized option '%s'\nTry \"scancel --help\" for more information\n" % a)
        else:
            unsupported("scancel by job id")
        if a in ("-A", "--account"):
            account = value
        elif a in ("-u", "--user"):
            user = value
        else:
            cluster = value
    if cluster is not None and cluster.lower() != state["cluster"]:
        fail(1, "scancel: error: '%s' can't be reached now, or it is an invalid entry for --cluster.  "
                "Use 'sacctmgr list clusters' to see available clusters.\n" % cluster)
    if account is None and user is None:
        fail(1, "scancel: error: No job identification provided\n")
    if user is not None and user not in state.get("unix_users", {}):
        # scancel resolves -u with getpwnam; not checked against a real scancel, hence only the gist
        fail(1, "scancel: error: Invalid user name: %s\n" % user)
    cancelled = False
    for job in state.get("jobs", []):
        if job["state"] in ACTIVE_JOB_STATES and (account is None or job["account"] == account.lower()) \
                and (user is None or job["user"] == user):
            job["state"] = "CANCELLED"
            cancelled = True
    return Result(0, "", changed=cancelled)  # like scancel: silent, also when nothing matched


# ------------------------------------------------------------------------------------------------- sacct

# Job states (sacct --helpformat / man sacct) and the abbreviations --state accepts.
JOB_STATES = {"BF": "BOOT_FAIL", "CA": "CANCELLED", "CD": "COMPLETED", "DL": "DEADLINE", "F": "FAILED",
              "NF": "NODE_FAIL", "OOM": "OUT_OF_MEMORY", "PD": "PENDING", "PR": "PREEMPTED", "R": "RUNNING",
              "RQ": "REQUEUED", "RS": "RESIZING", "RV": "REVOKED", "S": "SUSPENDED", "TO": "TIMEOUT"}
ACTIVE_JOB_STATES = ("PENDING", "RUNNING", "SUSPENDED", "REQUEUED", "RESIZING")

# Long options of sacct 22.05; getopt_long takes any unambiguous prefix (--account, --cluster).
SACCT_LONG = ["accounts", "allclusters", "allocations", "allusers", "array", "associations", "batch-script",
              "brief", "clusters", "completion", "constraints", "delimiter", "duplicates", "endtime", "env-vars",
              "federation", "file", "format", "gid", "group", "help", "helpformat", "jobs", "json", "local", "long",
              "name", "ncpus", "nnodes", "noconvert", "nodelist", "noheader", "parsable", "parsable2", "partition",
              "qos", "reason", "starttime", "state", "timelimit-max", "timelimit-min", "truncate", "uid", "units",
              "usage", "use-local-uid", "user", "verbose", "version", "wckeys", "whole-hetjob", "yaml"]
SACCT_WITH_VALUE = {"accounts", "clusters", "endtime", "format", "starttime", "state", "user"}
SACCT_SHORT = {"P": "parsable2", "n": "noheader", "X": "allocations", "a": "allusers", "T": "truncate",
               "M": "clusters", "S": "starttime", "E": "endtime", "A": "accounts", "u": "user", "s": "state",
               "o": "format"}
SACCT_REAL_SHORT = "bBcCdDefFghiIjkKlLNpqrvVWx"
SACCT_EMULATED = set(SACCT_SHORT.values()) | {"noconvert"}
SACCT_FIELDS = {"jobid": "id", "account": "account", "reqtres": "req_tres", "elapsed": "elapsed", "user": "user",
                "state": "state"}
# Real fields the fake does not fill in (a request for them is a test bug, not a SLURM error).
SACCT_REAL_FIELDS = {"jobname", "partition", "timelimit", "nodelist", "alloctres", "alloccpus", "exitcode", "start",
                     "end", "submit", "cputime", "cputimeraw", "elapsedraw", "qos", "cluster", "uid", "group"}
SACCT_TIME = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def sacct_options(args):
    """getopt_long as sacct has it: --opt=value, --opt value, -o value, -ovalue, bundled -Pn."""
    opts, i = {}, 0
    while i < len(args):
        a = args[i]
        i += 1
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            matches = [o for o in SACCT_LONG if o == name] or [o for o in SACCT_LONG if o.startswith(name)]
            if len(matches) != 1 or not name:
                if len(matches) > 1:
                    fail(1, "sacct: option '%s' is ambiguous\nTry \"sacct --help\" for more information\n" % a)
                fail(1, "sacct: unrecognized option '%s'\nTry \"sacct --help\" for more information\n" % a)
            name = matches[0]
            if name not in SACCT_EMULATED:
                unsupported("sacct --" + name)
            if name in SACCT_WITH_VALUE and not eq:
                if i >= len(args):
                    fail(1, "sacct: option '--%s' requires an argument\n" % name)
                value, i = args[i], i + 1
            elif name not in SACCT_WITH_VALUE and eq:
                fail(1, "sacct: option '--%s' doesn't allow an argument\n" % name)
            opts[name] = value
        elif a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                c = a[j]
                j += 1
                if c not in SACCT_SHORT:
                    if c in SACCT_REAL_SHORT:
                        unsupported("sacct -" + c)
                    fail(1, "sacct: invalid option -- '%s'\nTry \"sacct --help\" for more information\n" % c)
                name = SACCT_SHORT[c]
                if name in SACCT_WITH_VALUE:
                    value = a[j:]
                    if not value:
                        if i >= len(args):
                            fail(1, "sacct: option requires an argument -- '%s'\n" % c)
                        value, i = args[i], i + 1
                    opts[name] = value
                    break
                opts[name] = ""
        else:
            unsupported("sacct argument " + a)
    return opts


def check_sacct_time(name, value):
    import datetime
    for fmt in SACCT_TIME:
        try:
            datetime.datetime.strptime(value, fmt)
            return
        except ValueError:
            pass
    unsupported("--%s=%s (the fake reads YYYY-MM-DD[THH:MM[:SS]] only)" % (name, value))


def format_elapsed(seconds):
    days, rest = divmod(int(seconds), 86400)
    text = "%02d:%02d:%02d" % (rest // 3600, rest % 3600 // 60, rest % 60)
    return "%d-%s" % (days, text) if days else text


def sacct(state, args):
    opts = sacct_options(args)
    if "parsable2" not in opts or "noheader" not in opts:
        unsupported("table output; the fake prints --parsable2 --noheader only")
    if "format" not in opts:
        unsupported("sacct's default format")
    fields = []
    for f in opts["format"].split(","):
        key = f.lower()
        if key in SACCT_REAL_FIELDS or "%" in key:
            unsupported("sacct field " + f)
        if key not in SACCT_FIELDS:
            fail(1, 'Invalid field requested: "%s"\n' % f)
        fields.append(SACCT_FIELDS[key])
    if "req_tres" in fields and "noconvert" not in opts:
        unsupported("ReqTRES without --noconvert (sacct would convert memory units)")
    for name in ("starttime", "endtime"):
        if name in opts:
            check_sacct_time(name, opts[name])
    users = None
    if "user" in opts:
        users = [u for u in opts["user"].split(",") if u]
        for u in users:
            if u not in state.get("unix_users", {}):
                # slurm.md §1: sacct --user=<not a Unix user> fails with rc 1 (Invalid user id)
                fail(1, "sacct: error: Invalid user id: %s\n" % u)
    elif "allusers" not in opts:
        unsupported("sacct without --allusers or --user (the caller's own jobs)")
    states = None
    if "state" in opts:
        states = []
        for st in opts["state"].split(","):
            full = JOB_STATES.get(st.upper(), st.upper())
            if full not in JOB_STATES.values():
                fail(1, "sacct: error: Invalid state: %s\n" % st)
            states.append(full)
    clusters = [c.lower() for c in opts.get("clusters", "").split(",") if c]
    if clusters and state["cluster"] not in clusters:
        return Result(0, "")
    accounts = [a.lower() for a in opts["accounts"].split(",") if a] if "accounts" in opts else None
    rows = []
    for job in state.get("jobs", []):
        if (accounts is not None and job["account"] not in accounts) or (users is not None and job["user"] not in users) \
                or (states is not None and job["state"] not in states):
            continue
        values = dict(job, elapsed=format_elapsed(job["elapsed"]))
        rows.append(values)
        if "allocations" not in opts and job["state"] != "PENDING":
            # a batch job's step: no user, no ReqTRES, same account, elapsed and state
            rows.append(dict(values, id=job["id"] + ".batch", user="", req_tres=""))
    return Result(0, "".join("|".join(str(r[f]) for f in fields) + "\n" for r in rows))


# ------------------------------------------------------------------------------------- id, mkhomedir_helper

def unix_id(state, args):
    if len(args) != 2 or args[0] != "-u":
        unsupported("id " + " ".join(args) + " (only id -u <user>)")
    uid = state.get("unix_users", {}).get(args[1])
    if uid is None:
        fail(1, "id: '%s': no such user\n" % args[1])
    return Result(0, "%d\n" % uid)


def c_strtol_base0(text):
    """strtol(text, &end, 0) with *end == 0 required: 0x.. hex, 0.. octal, else decimal; None if unreadable."""
    digits, base = text, 10
    if text[:2].lower() == "0x":
        digits, base = text[2:], 16
    elif text[:1] == "0" and len(text) > 1:
        digits, base = text[1:], 8
    try:
        return int(digits, base) if digits and digits.isalnum() else None
    except ValueError:
        return None


def mkhomedir_helper(state, args):
    """Linux-PAM's helper logs to syslog only; its exit codes are PAM codes. Records the call, creates nothing."""
    if not 1 <= len(args) <= 3:
        fail(14)  # PAM_SESSION_ERR after printing its usage to syslog
    if len(args) == 3:
        unsupported("mkhomedir_helper with a skeleton directory")
    user = args[0]
    if user not in state.get("unix_users", {}):
        fail(10)  # PAM_USER_UNKNOWN
    umask = args[1] if len(args) > 1 else "0022"
    if c_strtol_base0(umask) is None:
        fail(14)  # "Bogus umask value", PAM_SESSION_ERR
    state.setdefault("homedir_calls", []).append({"user": user, "umask": umask})
    return Result(0, "", changed=True)


# ------------------------------------------------------------------------------------------------ main

def load_json(path, default):
    try:
        with open(path, encoding="utf-8") as f:
            return json_loads(f.read())
    except FileNotFoundError:
        return default


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json_dumps(data) + "\n")
    os.replace(tmp, path)


def take_injected_failure(state_dir, line):
    path = os.path.join(state_dir, FAILURES)
    rules = load_json(path, None)
    if rules is None:
        return None
    rules = rules if isinstance(rules, list) else [rules]
    for idx, rule in enumerate(rules):
        if rule.get("match", "") in line:
            times = int(rule.get("times", 1)) - 1
            if times > 0:
                rule["times"] = times
            else:
                del rules[idx]
            if rules:
                write_json(path, rules)
            else:
                os.remove(path)
            return Result(int(rule.get("rc", 1)), rule.get("stdout", ""), rule.get("stderr", ""))
    return None


def reset(state_dir, cluster):
    os.makedirs(state_dir, exist_ok=True)
    write_json(os.path.join(state_dir, STATE), default_state(cluster))
    open(os.path.join(state_dir, CALLS), "w").close()
    try:
        os.remove(os.path.join(state_dir, FAILURES))
    except FileNotFoundError:
        pass


def main(argv):
    if len(argv) >= 3 and argv[1] == "--reset":
        reset(argv[2], (argv[3] if len(argv) > 3 else "waldur-test").lower())
        return 0
    if len(argv) < 3:
        sys.stderr.write("usage: fake_slurm.py <argv0> <state-dir> [args...] | --reset <state-dir> [cluster]\n")
        return 2
    argv0, state_dir, args = argv[1], argv[2], argv[3:]
    program = os.path.basename(argv0)
    os.makedirs(state_dir, exist_ok=True)
    with open(os.path.join(state_dir, ".lock"), "a") as lock:
        # One invocation at a time: state is read, changed and written back. lockf (POSIX record lock), not
        # flock, because that is the lock Java's FileChannel.lock takes, so FakeSlurm's seeding joins in.
        fcntl.lockf(lock, fcntl.LOCK_EX)
        state_path = os.path.join(state_dir, STATE)
        state = load_json(state_path, None) or default_state()
        injected = take_injected_failure(state_dir, " ".join([program] + args))
        if injected is not None:
            result = injected
        else:
            try:
                if program == "sacctmgr":
                    result = sacctmgr(state, args)
                elif program == "scancel":
                    result = scancel(state, args)
                elif program == "sacct":
                    result = sacct(state, args)
                elif program == "id":
                    result = unix_id(state, args)
                elif program == "mkhomedir_helper":
                    result = mkhomedir_helper(state, args)
                else:
                    result = Result(2, "", "fake-slurm: unknown program %s\n" % program)
            except Result as r:
                result = r
            if result.rc == 0 and result.changed:
                write_json(state_path, state)
        record = {"argv": [argv0] + args, "rc": result.rc}
        if injected is not None:
            record["injected"] = True
        with open(os.path.join(state_dir, CALLS), "a", encoding="utf-8") as calls:
            calls.write(json_dumps(record) + "\n")
    sys.stdout.write(result.out)
    sys.stderr.write(result.err)
    return result.rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
