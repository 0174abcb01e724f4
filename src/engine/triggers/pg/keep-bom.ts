/**
 * pg-logical-replication decodes every text value with a default `TextDecoder`, which drops a
 * leading U+FEFF: a row whose text starts with one would reach the flow changed (and differ from
 * the same row read by the backfill, which keeps it). Text is data: decode it byte for byte.
 * Imported once by replication-stream.ts, before any stream is read.
 */
import { BinaryReader } from 'pg-logical-replication/dist/output-plugins/pgoutput/binary-reader.js';

const keepingBom = new TextDecoder('utf-8', { ignoreBOM: true });

BinaryReader.prototype.decodeText = function decodeText(buf: Uint8Array): string {
  return keepingBom.decode(buf);
};
