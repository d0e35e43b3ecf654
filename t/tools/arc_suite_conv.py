#!/usr/bin/python3
# arc_suite_conv.py - convert the ARC test suite's YAML (validation and
# signing) into the length-prefixed records t/tools/arc_suite reads:
# "KEY LEN\n" LEN octets "\n". Keys: suite, clear, txt NAME, privkey,
# domain, sel, case NAME, message, cv, t, sigheaders, srvid, as, ams,
# aar, end. Messages and values are passed through unchanged.
import sys
import yaml

def rec(out, key, val=""):
    data = str(val).encode("utf-8")
    out.write(("%s %d\n" % (key, len(data))).encode("ascii"))
    out.write(data)
    out.write(b"\n")

def main():
    if len(sys.argv) != 4:
        sys.exit("usage: arc_suite_conv.py validation|signing FILE.yml OUT")
    kind, path, outpath = sys.argv[1:]
    with open(path, encoding="utf-8") as f, open(outpath, "ab") as out:
        rec(out, "suite", kind)
        for doc in yaml.safe_load_all(f):
            if not doc:
                continue
            rec(out, "clear")
            txt = doc.get("txt-records") or doc.get("txt_records") or {}
            for name, value in txt.items():
                rec(out, "txt " + name, value)
            for key in ("privatekey", "domain", "sel"):
                if key in doc:
                    rec(out, {"privatekey": "privkey"}.get(key, key), doc[key])
            for name, t in doc["tests"].items():
                rec(out, "case " + name)
                rec(out, "message", t.get("message", ""))
                if kind == "validation":
                    rec(out, "cv", t.get("cv", ""))
                else:
                    rec(out, "t", t.get("t", ""))
                    rec(out, "sigheaders", t.get("sig-headers", ""))
                    rec(out, "srvid", t.get("srv-id", ""))
                    for k in ("AS", "AMS", "AAR"):
                        rec(out, k.lower(), t.get(k) or "")
                rec(out, "end")

main()
