import { closeSync, fsyncSync, openSync, readSync, fstatSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * Verified files: every file an index is made of is recorded with its length and CRC-32 once written and
 * fsync'd, and checked before it is read; rows of the database carry a CRC-32 checked on every read.
 * CRC-32, not a cryptographic hash: it is there to catch damage, not forgery, and zlib's is ~3× as fast as sha256
 * on what every start reads (the vector files: 1 GB at 100,000 articles).
 */

/** A file of the index failed its check: the index must be rebuilt (it is, by itself). */
export class IndexDamagedError extends Error {
  constructor(readonly file: string, readonly detail: string) {
    super(`the index is damaged: ${file}; rebuilding`);
  }
}

export interface FileRecord {
  bytes: number;
  crc: number;
}

/** Length and CRC-32 of a file, read in 1 MB blocks. */
export function fileRecord(file: string): FileRecord {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let bytes = 0;
    let crc = 0;
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; bytes += n) crc = crc32(buf.subarray(0, n), crc);
    return { bytes, crc };
  } finally {
    closeSync(fd);
  }
}

/** Throws IndexDamagedError unless the file has the recorded length and CRC (the length is checked first: cheap). */
export function verifyFile(file: string, name: string, want: FileRecord): void {
  let size: number;
  try {
    const fd = openSync(file, 'r');
    size = fstatSync(fd).size;
    closeSync(fd);
  } catch {
    throw new IndexDamagedError(name, 'missing');
  }
  if (size !== want.bytes) throw new IndexDamagedError(name, `${size} bytes, ${want.bytes} written`);
  if (fileRecord(file).crc !== want.crc) throw new IndexDamagedError(name, 'checksum mismatch');
}

/** fsync of a file or a directory (a directory's fsync makes a rename or a new file in it durable). */
export function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** CRC-32 of a row's fields, joined by NUL. */
export function rowCrc(...fields: Array<string | number | Uint8Array>): number {
  let c = 0;
  for (const f of fields) {
    c = crc32(typeof f === 'number' ? String(f) : f, c);
    c = crc32('\0', c);
  }
  return c;
}
