// sfc32 seeded through splitmix32: tiny, fast, and identical on every platform,
// so a seed reproduces the same data set and the same fault sequence anywhere.
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    let s = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream | 0, 0x85ebca6b) ^ 0x6a09e667) >>> 0;
    const sm = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 6; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(arr: readonly T[]): T {
    return arr[Math.floor(this.next() * arr.length)];
  }
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B62_CODES = Array.from(B62, (c) => c.charCodeAt(0));
const ID_LEN = 43;
const codes: number[] = [];

/** Close-style id: prefix + 43 base62 characters. */
export function makeId(rng: Rng, prefix: string): string {
  const p = prefix.length;
  codes.length = p + ID_LEN;
  for (let i = 0; i < p; i++) codes[i] = prefix.charCodeAt(i);
  let n = 0;
  while (n < ID_LEN) {
    let x = rng.u32();
    // 62^5 < 2^32, so five digits per draw
    for (let j = 0; j < 5 && n < ID_LEN; j++, n++) {
      codes[p + n] = B62_CODES[x % 62];
      x = Math.floor(x / 62);
    }
  }
  // One flat string: concatenation would leave rope nodes behind every id.
  return String.fromCharCode.apply(null, codes);
}
