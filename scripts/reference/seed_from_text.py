"""Reference values for src/engine/random/seedFromText.ts: an independent Python transcription of
seedrandom 3.0.5's ARC4 seeding (seedrandom.js: mixkey, ARC4 with RC4-drop[256], int32) and of
the documented mapping text -> 53-bit seed. Run: /usr/bin/python3 scripts/reference/seed_from_text.py
"""
import re

WIDTH = 256
MASK = WIDTH - 1


def mixkey(seed: str) -> list[int]:
    """seedrandom's mixkey: folds the seed string into a key of at most 256 bytes."""
    key: dict[int, int] = {}
    smear = 0
    for j, ch in enumerate(seed):
        smear ^= key.get(j & MASK, 0) * 19
        key[j & MASK] = MASK & (smear + ord(ch))
    return [key[i] for i in range(len(key))]


class Arc4:
    def __init__(self, key: list[int]):
        if not key:
            key = [0]
        s = list(range(WIDTH))
        j = 0
        for i in range(WIDTH):
            t = s[i]
            j = MASK & (j + key[i % len(key)] + t)
            s[i] = s[j]
            s[j] = t
        self.s, self.i, self.j = s, 0, 0
        self.bytes(WIDTH)  # RC4-drop[256]

    def bytes(self, count: int) -> list[int]:
        out = []
        s, i, j = self.s, self.i, self.j
        for _ in range(count):
            i = MASK & (i + 1)
            t = s[i]
            j = MASK & (j + t)
            s[i] = s[j]
            s[j] = t
            out.append(s[MASK & (s[i] + s[j])])
        self.i, self.j = i, j
        return out

    def uint32(self) -> int:
        b = self.bytes(4)
        return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]


def seed_from_text(text: str) -> int:
    if re.fullmatch(r"-?\d+", text) and abs(int(text)) <= 2**53 - 1:
        return int(text)
    key_text = "".join(chr(b) for b in text.encode("utf-8"))
    arc4 = Arc4(mixkey(key_text))
    high = arc4.uint32() >> 11
    low = arc4.uint32()
    return high * 2**32 + low


if __name__ == "__main__":
    for text in ["release-2026-12", "hello", "a", "héllo 🚀", "42", "-7", "9007199254740993", " 42"]:
        print(repr(text), seed_from_text(text))
