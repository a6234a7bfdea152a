#!/usr/bin/env python3
"""Extract the example answers of the Rocket.Chat OpenAPI definitions into
testdata/answers/, one JSON file per answer.

Run by hand, never in CI, when the OpenAPI copies change:

    python3 testdata/answers/extract.py /path/to/openapi

where /path/to/openapi is the folder holding authentication.yaml,
messaging.yaml and the others (Python 3 with PyYAML). The files are
written beside this script; files of answers that are gone are not
removed, so delete *.json here first for a clean run.

Each file is self-describing:

    {"source": "messaging.yaml: POST /api/v1/chat.postMessage, 200, example \"Example 1\"",
     "method": "POST", "endpoint": "v1/chat.postMessage", "status": 200,
     "body": <the example body exactly>}

What is taken: every example (media type "examples" and "example", and the
schema's "x-examples" when they add a body not already listed) of every
response of every operation, inline or through a shared
components/responses entry. A shared response is written once, under the
first operation that uses it, with the number of its users in the source.
What is skipped: answers that are not JSON (text/plain, image/svg+xml),
and examples whose value is not a JSON object or array.

Bodies stay exactly as the YAML gives them. The YAML is read with YAML 1.2
core-schema scalars instead of PyYAML's YAML 1.1 defaults: dates stay the
strings they are written as (PyYAML would make datetimes), "yes"/"no"/"on"/
"off" stay strings, and numbers keep their written form (1.10 stays 1.10,
not 1.1). An example written as a JSON string is parsed as JSON, with its
numbers kept as written too. Anything that would need rewriting to be JSON
(a YAML number such as 0x1F or +5, a non-string key) is reported on stderr.

A few answers are not in the OpenAPI definitions and are taken from the
server's code instead (SERVER_ANSWERS below): GET /api/info, the 429 of the
rate limiter, and method.call's 200 that carries the method's error inside
its "message" string.
"""

import collections
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ("get", "post", "put", "delete", "patch")


class Number(str):
    """A JSON number kept as its source text."""


def warn(msg):
    print("warning: " + msg, file=sys.stderr)


# --- YAML with YAML 1.2 core-schema scalars ------------------------------


class CoreLoader(yaml.SafeLoader):
    pass


# Drop PyYAML's YAML 1.1 implicit resolvers (timestamps, yes/no, sexagesimal
# numbers...) and put back the YAML 1.2 core schema's.
CoreLoader.yaml_implicit_resolvers = {}
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))

JSON_NUMBER = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")


def construct_number(loader, node):
    text = node.value
    if JSON_NUMBER.match(text):
        return Number(text)
    # Valid YAML, not JSON as written (+5, 012, 1., 0x1F, .inf): say so and
    # write the value JSON's way.
    value = yaml.SafeLoader.construct_yaml_float(loader, node) if node.tag.endswith("float") \
        else yaml.SafeLoader.construct_yaml_int(loader, node)
    warn("YAML number %r at line %d is not JSON as written; written as %r" % (text, node.start_mark.line + 1, value))
    return Number(json.dumps(value))


CoreLoader.add_constructor("tag:yaml.org,2002:int", construct_number)
CoreLoader.add_constructor("tag:yaml.org,2002:float", construct_number)


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CoreLoader)


# --- JSON out, numbers as written -----------------------------------------


def from_json_text(text):
    """Parses a JSON string example, keeping numbers as written and
    rejecting duplicate keys."""

    def pairs(items):
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate key")
        return dict(items)

    return json.loads(text, parse_int=Number, parse_float=Number, object_pairs_hook=pairs)


def check(value, where):
    """Makes sure value is plain JSON (after YAML): string keys, no
    datetimes or other YAML types."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or isinstance(k, Number):
                warn("%s: key %r is not a string in the YAML; written as %r" % (where, k, str(k)))
                k = "null" if k is None else ("true" if k is True else "false" if k is False else str(k))
            out[k] = check(v, where)
        return out
    if isinstance(value, list):
        return [check(v, where) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    raise TypeError("%s: %r is not JSON" % (where, value))


def dump(value, indent=0):
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ["%s%s: %s" % (pad, json.dumps(k, ensure_ascii=False), dump(v, indent + 1)) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(pad + dump(v, indent + 1) for v in value) + "\n" + end + "]"
    return json.dumps(value, ensure_ascii=False)


# --- walking the definitions -----------------------------------------------


def resolve(doc, ref):
    if not ref.startswith("#/"):
        raise ValueError("external $ref %s" % ref)
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def endpoint_of(path, params):
    """The request path below /api/ (v1/chat.postMessage), path parameters
    filled with their examples, and a file-name stem (chat.postMessage)."""
    template = path.split(" ")[0]  # "/api/v1/login - with Google"
    if not template.startswith("/api/"):
        template = "/api/v1" + template  # a few paths lack their prefix

    def fill(m):
        name = m.group(1) or m.group(2)
        p = params.get(name, {})
        ex = p.get("example", (p.get("schema") or {}).get("example"))
        return str(ex) if isinstance(ex, str) and ex and "/" not in ex else name

    endpoint = re.sub(r"\{([^}]+)\}|:([A-Za-z_][A-Za-z0-9_-]*)", fill, template)[len("/api/"):]
    stem = re.sub(r"\{([^}]+)\}|:([A-Za-z_][A-Za-z0-9_-]*)", lambda m: m.group(1) or m.group(2), template)
    stem = re.sub(r"^/api/(v1/)?", "", stem).replace("/", "_")
    return endpoint, stem


def slug(s):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", s)[:48].strip("-.").lower() or "x"


def error_code(body):
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("errorType"), str) and body["errorType"]:
        return body["errorType"]
    for key in ("error", "message"):
        v = body.get(key)
        if isinstance(v, str):
            m = re.search(r"\[([A-Za-z0-9._-]+)\]\s*$", v)
            if m:
                return m.group(1)
            if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", v):
                return v
    return ""


def examples_of(media):
    """(name, value) of every example of a media type object."""
    out = []
    for name, ex in (media.get("examples") or {}).items():
        if "$ref" in ex:
            ex = None  # no components/examples in these files
            warn("example $ref not followed")
            continue
        if "value" in ex:
            out.append((name, ex["value"]))
    if "example" in media:
        out.append(("example", media["example"]))
    listed = [v for _, v in out]
    for name, value in ((media.get("schema") or {}).get("x-examples") or {}).items():
        if value not in listed:
            out.append(("x-examples " + name, value))
    return out


def body_of(value, where):
    """The example as a JSON object or array, or None to skip it."""
    if isinstance(value, str):
        try:
            value = from_json_text(value)
        except ValueError:
            return None
    if not isinstance(value, (dict, list)):
        return None
    return check(value, where)


def collect(folder):
    answers = []  # dicts: source, method, endpoint, status, body, stem, label
    shared_users = collections.defaultdict(list)  # (file, ref) -> ["GET /api/v1/x", ...]
    shared_seen = {}  # (status, body text) -> answer, across files
    skipped = collections.Counter()
    for fname in sorted(f for f in os.listdir(folder) if f.endswith(".yaml")):
        doc = load_yaml(os.path.join(folder, fname))
        for path, item in (doc.get("paths") or {}).items():
            path_params = {p["name"]: p for p in item.get("parameters", []) if "name" in p and p.get("in") == "path"}
            ops = [m for m in METHODS if m in item]
            for m in ops:
                op = item[m]
                params = dict(path_params)
                for p in op.get("parameters", []):
                    if "$ref" in p:
                        p = resolve(doc, p["$ref"])
                    if p.get("in") == "path":
                        params[p["name"]] = p
                endpoint, stem = endpoint_of(path, params)
                if len(ops) > 1:
                    stem += "_" + m
                if " - " in path:  # "/api/v1/login - with Google"
                    stem += "_" + slug(path.split(" - ", 1)[1])
                for status, resp in (op.get("responses") or {}).items():
                    if not re.fullmatch(r"[1-5][0-9][0-9]", str(status)):
                        skipped["status " + str(status)] += 1
                        continue
                    ref = resp.get("$ref")
                    if ref:
                        shared_users[(fname, ref, str(status))].append("%s %s" % (m.upper(), path))
                        if len(shared_users[(fname, ref, str(status))]) > 1:
                            continue
                        resp = resolve(doc, ref)
                    for ctype, media in (resp.get("content") or {}).items():
                        if "json" not in ctype:
                            skipped["not JSON (%s)" % ctype] += 1
                            continue
                        exs = examples_of(media)
                        for name, value in exs:
                            if ref:
                                where = "%s: %s %s, %s (%s), example %s" % (
                                    fname, m.upper(), path, status, ref[2:], json.dumps(name))
                            else:
                                where = "%s: %s %s, %s, example %s" % (fname, m.upper(), path, status, json.dumps(name))
                            body = body_of(value, where)
                            if body is None:
                                skipped["example not a JSON object or array"] += 1
                                continue
                            a = {"source": where, "method": m.upper(), "endpoint": endpoint,
                                 "status": int(status), "body": body, "stem": stem,
                                 "names": len(exs), "name": name, "ref": (fname, ref, str(status)) if ref else None}
                            if ref:
                                key = (str(status), dump(body))
                                if key in shared_seen:
                                    shared_seen[key]["also"].append((fname, ref, str(status)))
                                    continue
                                a["also"] = []
                                shared_seen[key] = a
                            answers.append(a)
    # Name the users of each shared response in its source.
    for a in answers:
        if a["ref"]:
            users = sum(len(shared_users[k]) for k in [a["ref"]] + a["also"])
            a["source"] += ", shared by %d operations" % users
    return answers, skipped


def file_names(answers):
    taken = set()
    for a in answers:
        body = a["body"]
        failed = a["status"] >= 300 or (isinstance(body, dict) and (body.get("success") is False or body.get("status") == "error"))
        parts = [a["stem"], str(a["status"])]
        if a["ref"]:
            parts.append(slug(a["ref"][1].rsplit("/", 1)[1]))
        elif failed and error_code(body):
            parts.append(slug(error_code(body)))
        elif a["names"] > 1:
            parts.append(slug(a["name"]))
        name = "_".join(parts)
        if name in taken:
            name += "_" + slug(a["name"])
        base, n = name, 2
        while name in taken:
            name, n = "%s-%d" % (base, n), n + 1
        taken.add(name)
        a["file"] = name + ".json"


# --- answers from the server's code ----------------------------------------

# rocketchat.info of a server build (the "Info" object that getServerInfo
# spreads into the answer), and its minimumClientVersions.
SERVER_INFO = {
    "version": "8.1.0-develop",
    "build": {
        "date": "2026-01-15T15:58:39.159Z",
        "nodeVersion": "v22.18.0",
        "arch": "arm64",
        "platform": "darwin",
        "osRelease": "24.6.0",
        "totalMemory": Number("38654705664"),
        "freeMemory": Number("261406720"),
        "cpus": Number("14"),
    },
    "marketplaceApiVersion": "1.59.0",
    "commit": {
        "hash": "e62836584b5ab204fe4091fa3362869fd6351264",
        "date": "Wed Jan 14 17:04:03 2026 -0300",
        "author": "Matheus Cardoso",
        "subject": "vite-meteor [skip ci]",
        "tag": "8.0.0",
        "branch": "vite-meteor",
    },
}
MIN_CLIENTS = {"desktop": "3.9.6", "mobile": "4.39.0"}

# method.call answers 200 whatever the method did: mountResult EJSON-
# stringifies {msg, id, error, result} into "message". A thrown
# Meteor.Error serializes as its own fields; createChannel with a taken name
# throws error-duplicate-channel-name from getValidRoomName.
METHOD_CALL_ERROR = json.dumps({
    "msg": "result",
    "id": "2",
    "error": {
        "isClientSafe": True,
        "error": "error-duplicate-channel-name",
        "reason": "A channel with name 'test-websocket' exists",
        "details": {"function": "RocketChat.getValidRoomName", "channel_name": "test-websocket"},
        "message": "A channel with name 'test-websocket' exists [error-duplicate-channel-name]",
        "errorType": "Meteor.Error",
    },
}, separators=(",", ":"))

SERVER_ANSWERS = [
    {"file": "info_200_anonymous.json",
     "source": "server code: apps/meteor/app/api/server/default/info.ts and lib/getServerInfo.ts, "
               "GET /api/info without view-statistics: the version cut to major.minor",
     "method": "GET", "endpoint": "info", "status": 200,
     "body": {"version": "8.1", "minimumClientVersions": MIN_CLIENTS, "success": True}},
    {"file": "info_200_view-statistics.json",
     "source": "server code: apps/meteor/app/api/server/default/info.ts and lib/getServerInfo.ts, "
               "GET /api/info with view-statistics: the full version and the build's Info",
     "method": "GET", "endpoint": "info", "status": 200,
     "body": {"version": "8.1.0-develop", "info": SERVER_INFO, "minimumClientVersions": MIN_CLIENTS, "success": True}},
    {"file": "chat.postMessage_429_error-too-many-requests.json",
     "source": "server code: apps/meteor/app/api/server/ApiClass.ts, enforceRateLimit and tooManyRequests: "
               "429 with X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (epoch ms) headers",
     "method": "POST", "endpoint": "v1/chat.postMessage", "status": 429,
     "body": {"success": False,
              "error": "Error, too many requests. Please slow down. You must wait 23 seconds before trying this endpoint again. [error-too-many-requests]"}},
    {"file": "method.call_method_200_embedded-error.json",
     "source": "server code: apps/meteor/app/api/server/v1/misc.ts, method.call/:method when the method throws: "
               "200 and success:true, the error inside the EJSON string \"message\"",
     "method": "POST", "endpoint": "v1/method.call/createChannel", "status": 200,
     "body": {"message": METHOD_CALL_ERROR, "success": True}},
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: extract.py /path/to/openapi-folder")
    answers, skipped = collect(sys.argv[1])
    file_names(answers)
    per_file = collections.Counter()
    for a in answers + SERVER_ANSWERS:
        out = {"source": a["source"], "method": a["method"], "endpoint": a["endpoint"],
               "status": a["status"], "body": a["body"]}
        with open(os.path.join(HERE, a["file"]), "w", encoding="utf-8") as f:
            f.write(dump(out) + "\n")
        per_file[a["source"].split(":")[0]] += 1
    for k, v in sorted(per_file.items()):
        print("%5d  %s" % (v, k))
    print("%5d  answers written" % (len(answers) + len(SERVER_ANSWERS)))
    for k, v in sorted(skipped.items()):
        print("%5d  skipped: %s" % (v, k))


if __name__ == "__main__":
    main()
