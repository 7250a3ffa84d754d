/**
 * How many bytes of Close's answer each record came from: the body's length
 * shared out over its `data` records. Buffers that are bounded in bytes weigh
 * records by it instead of serialising them again. Held weakly: a record that
 * is gone takes its entry with it.
 */
const bytesOfRecord = new WeakMap<object, number>();

/** Called by the client for every JSON answer it parsed. */
export function noteBodySize(parsed: unknown, bodyBytes: number): void {
  const data = (parsed as {data?: unknown})?.data;
  if (!Array.isArray(data) || data.length === 0) {
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) bytesOfRecord.set(parsed, bodyBytes);
    return;
  }
  const each = Math.max(1, Math.ceil(bodyBytes / data.length));
  for (const record of data) if (record && typeof record === 'object') bytesOfRecord.set(record, each);
}

/**
 * The bytes a set of records takes, about: what the answer said where it is
 * known, else the serialised length (of a sample: one record in `sampleEvery`,
 * the others count the sample's running average).
 */
export class ByteEstimator {
  private average = 0;
  private misses = 0;

  constructor(private readonly sampleEvery = 16) {}

  of(record: object): number {
    const known = bytesOfRecord.get(record);
    if (known !== undefined) return known;
    if (this.misses++ % this.sampleEvery === 0) {
      const measured = JSON.stringify(record)?.length ?? 0;
      this.average = this.average === 0 ? measured : (3 * this.average + measured) / 4;
    }
    return Math.max(1, Math.round(this.average));
  }

  ofAll(records: readonly object[]): number {
    let total = 0;
    for (const r of records) total += this.of(r);
    return total;
  }
}
