#!/usr/bin/env python3
"""Computes test/vectors/ratchet-kdf.json from the specifications, without Cairn's code.

HKDF-SHA256 is written out from RFC 5869 §2.2-2.3 over Python's hmac/hashlib; KDF_CK is keyed
BLAKE2b-256 from hashlib (RFC 7693). The formulas are the ones core/ratchet/kdf.ts documents.
Every input is a byte sequence start, start+1, ... (mod 256).
Run: python3 test/vectors/ratchet-kdf.py > test/vectors/ratchet-kdf.json
"""
import hashlib
import hmac
import json


def seq(n, start):
    return bytes((start + i) & 0xFF for i in range(n))


def hkdf_sha256(ikm, salt, info, length):
    if not salt:
        salt = bytes(32)
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


def kdf_ck(ck):
    mk = hashlib.blake2b(b"\x01", digest_size=32, key=ck).digest()
    nk = hashlib.blake2b(b"\x02", digest_size=32, key=ck).digest()
    return mk, nk


out = {"note": "Computed by test/vectors/ratchet-kdf.py (Python hashlib/hmac, not Cairn's code); see README.md here."}

rk_start, dh_start = 0, 64
okm = hkdf_sha256(seq(32, dh_start), seq(32, rk_start), b"cairn/ratchet/root/v1", 64)
out["kdfRk"] = {"rootKeyStart": rk_start, "dhStart": dh_start, "rootKey": okm[:32].hex(), "chainKey": okm[32:].hex()}

ck = seq(32, 128)
steps = []
for _ in range(3):
    mk, ck = kdf_ck(ck)
    steps.append({"messageKey": mk.hex(), "chainKey": ck.hex()})
out["kdfCk"] = {"chainKeyStart": 128, "steps": steps}

x = {"dhStarts": [1, 2, 3], "initiatorStart": 160, "responderStart": 192, "prekeyId": 7, "prekeyStart": 224}
ikm = b"\xff" * 32 + b"".join(seq(32, s) for s in x["dhStarts"])
info = (b"cairn/x3dh/v1" + seq(32, x["initiatorStart"]) + seq(32, x["responderStart"])
        + x["prekeyId"].to_bytes(4, "little") + seq(32, x["prekeyStart"]))
okm = hkdf_sha256(ikm, bytes(32), info, 48)
x["rootKey"], x["sessionId"] = okm[:32].hex(), okm[32:].hex()
out["x3dh"] = x

print(json.dumps(out, indent=2))
