//! A population's items as the engagement file stores them (schema 12 on; the rest sliced from
//! 14 on).
//!
//! `population_chunk` holds runs of up to `CHUNK_ITEMS` consecutive positions, each run as its
//! keys (one zstd frame) and the rest of each item (source line, date, amount, fields as
//! stored; a zstd frame for each slice of `SLICE_ITEMS`). The chunks of a million-row, 122 MB
//! CSV export take 33 MB this way and its key index 23 MB, where a row an item with the
//! fields as JSONB took 1.8 times the CSV, written twice (the WAL, then the checkpoint): the
//! bytes written, not the parsing, were what an import waited on. `population_key` is the
//! search and duplicate index: (population, key with ASCII case folded, position).
//!
//! Nothing about an item is lost or re-encoded: the digest (`digest::ItemsDigest`) is taken
//! over the same parts as before, so a population written under schema 11 and moved here by
//! the upgrade keeps the digest its trail recorded.
//!
//! Encoding of one chunk (`varint`: unsigned LEB128):
//! - keys: one zstd frame holding, per item, `varint(len)` and the key's UTF-8 bytes;
//! - rest (schema 14 on): `varint(items a slice)`, then `varint(compressed length)` for each
//!   slice, then each slice's zstd frame. A slice holds the next `items a slice` items (the
//!   last one fewer); decompressed, per item: `varint(source line)`, `varint(len + 1)` and the
//!   date's text (0: no date), the same for the amount, a mark (1: the fields as JSON text,
//!   2: as JSONB) and `varint(len)` with the fields' bytes. Fetching one item (a sample's row)
//!   decompresses its slice, a few KB, not the whole chunk. Schema 12–13 stored the rest as one
//!   frame; the upgrade to 14 slices it (`slice_rests`).

use rusqlite::{Connection, OptionalExtension, params};

use super::population::StoredFields;
use crate::{Error, Result};

/// Items per chunk: a grid page of 200 reads one or two chunks.
pub(crate) const CHUNK_ITEMS: usize = 1024;
/// A chunk is closed early once its items take this much (wide rows, long fields).
const CHUNK_BYTES: usize = 512 * 1024;
/// Items a slice of a chunk's rest: one fetched item decompresses about 64 × 180 bytes
/// rather than a whole chunk's 180 KB (a sample of 60 from 10M rows: 15 ms → 3 ms), and the
/// slices compress nearly as well as the chunk did as one frame (31 → 33 MB at 1M rows).
const SLICE_ITEMS: usize = 64;
/// zstd's fastest regular level: the import waits on the writing thread, and level 1 already
/// takes a CSV export to about a fifth.
const LEVEL: i32 = 1;
/// No chunk decompresses to more than this: a frame edited to claim more is damage, and a
/// crafted one is stopped here rather than filling memory. Chunks close at `CHUNK_BYTES`, so
/// only an item larger than this (a row of 64 fields of 1 MiB) could come near.
const MAX_RAW: u64 = 256 << 20;

/// One item as stored, borrowed from a decoded chunk or from an import's batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemRef<'a> {
    pub position: i64,
    pub source_row: i64,
    pub key: &'a str,
    pub date: Option<&'a str>,
    pub amount: Option<&'a str>,
    pub fields: StoredFields<'a>,
}

impl ItemRef<'_> {
    pub(crate) fn to_item(self) -> Result<super::population::PopulationItem> {
        Ok(super::population::PopulationItem {
            position: self.position as u64,
            source_row: self.source_row as u64,
            key: self.key.to_string(),
            date: self.date.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            amount: self.amount.map(str::to_string),
            fields: self.fields.decode().ok_or_else(|| {
                Error::invalid(format!(
                    "item {} of the population: its stored fields are damaged (not a list of texts)",
                    self.position
                ))
            })?,
        })
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
    }
    None
}

fn get_bytes<'a>(b: &'a [u8], at: &mut usize, len: u64) -> Option<&'a [u8]> {
    let end = at.checked_add(usize::try_from(len).ok()?)?;
    let part = b.get(*at..end)?;
    *at = end;
    Some(part)
}

fn get_optional_text<'a>(b: &'a [u8], at: &mut usize) -> Option<Option<&'a str>> {
    match get_varint(b, at)? {
        0 => Some(None),
        n => std::str::from_utf8(get_bytes(b, at, n - 1)?).ok().map(Some),
    }
}

/// Encodes a population's items, given in position order, into compressed chunks. It needs no
/// connection: an import runs it on the reading thread, and the writing one stores the chunks.
/// (Compressing on the writing thread instead balanced the two threads' time but cost more of
/// it: each raw chunk crossed to the other core's cache, a fifth of the bytes once compressed.)
pub(crate) struct ChunkEncoder {
    first: i64,
    next: i64,
    count: usize,
    keys: Vec<u8>,
    rest: Vec<u8>,
    /// Where each full slice of the rest ends.
    slice_ends: Vec<usize>,
    /// The chunk's keys back to back, and where each ends, for the key index.
    key_text: String,
    key_ends: Vec<usize>,
    compressor: zstd::bulk::Compressor<'static>,
}

/// One chunk ready to store: its two frames compressed, and its keys for the key index.
pub(crate) struct EncodedChunk {
    first: i64,
    count: usize,
    keys: Vec<u8>,
    rest: Vec<u8>,
    key_text: String,
    key_ends: Vec<usize>,
}

impl EncodedChunk {
    /// The chunk's keys with their positions.
    fn keys(&self) -> impl Iterator<Item = (&str, i64)> {
        let mut start = 0;
        self.key_ends.iter().zip(self.first..).map(move |(&end, position)| {
            let key = &self.key_text[start..end];
            start = end;
            (key, position)
        })
    }
}

impl ChunkEncoder {
    pub(crate) fn new() -> Result<ChunkEncoder> {
        Ok(ChunkEncoder {
            first: 1,
            next: 1,
            count: 0,
            keys: Vec::with_capacity(64 * 1024),
            rest: Vec::with_capacity(CHUNK_BYTES + 64 * 1024),
            slice_ends: Vec::with_capacity(CHUNK_ITEMS / SLICE_ITEMS),
            key_text: String::with_capacity(32 * 1024),
            key_ends: Vec::with_capacity(CHUNK_ITEMS),
            compressor: zstd::bulk::Compressor::new(LEVEL).map_err(zstd_error)?,
        })
    }

    /// Adds the next item (positions run 1, 2, 3, … without a gap); returns the chunk it
    /// completed, if it completed one.
    pub(crate) fn push(&mut self, item: ItemRef<'_>) -> Result<Option<EncodedChunk>> {
        if item.position != self.next {
            return Err(Error::invalid(format!(
                "item {} written where item {} was expected",
                item.position, self.next
            )));
        }
        self.encode(item);
        if self.keys.len() + self.rest.len() > MAX_RAW as usize / 2 {
            return Err(Error::invalid(format!(
                "item {} is {} bytes: the limit for one item is {} MiB",
                item.position,
                self.keys.len() + self.rest.len(),
                MAX_RAW >> 21
            )));
        }
        self.key_text.push_str(item.key);
        self.key_ends.push(self.key_text.len());
        self.count += 1;
        self.next += 1;
        if self.count.is_multiple_of(SLICE_ITEMS) {
            self.slice_ends.push(self.rest.len());
        }
        if self.count == CHUNK_ITEMS || self.keys.len() + self.rest.len() >= CHUNK_BYTES {
            return self.finish();
        }
        Ok(None)
    }

    /// The open chunk, compressed, if it holds any item; the next item starts a new one.
    pub(crate) fn finish(&mut self) -> Result<Option<EncodedChunk>> {
        if self.count == 0 {
            return Ok(None);
        }
        if !self.count.is_multiple_of(SLICE_ITEMS) {
            self.slice_ends.push(self.rest.len());
        }
        let chunk = EncodedChunk {
            first: self.first,
            count: self.count,
            keys: self.compressor.compress(&self.keys).map_err(zstd_error)?,
            rest: pack_rest(&mut self.compressor, &self.rest, &self.slice_ends)?,
            key_text: std::mem::replace(&mut self.key_text, String::with_capacity(32 * 1024)),
            key_ends: std::mem::replace(&mut self.key_ends, Vec::with_capacity(CHUNK_ITEMS)),
        };
        self.first = self.next;
        self.count = 0;
        self.keys.clear();
        self.rest.clear();
        self.slice_ends.clear();
        Ok(Some(chunk))
    }

    /// Appends `item` to the open chunk's frames.
    fn encode(&mut self, item: ItemRef<'_>) {
        put_varint(&mut self.keys, item.key.len() as u64);
        self.keys.extend_from_slice(item.key.as_bytes());
        put_varint(&mut self.rest, item.source_row as u64);
        for part in [item.date, item.amount] {
            match part {
                None => put_varint(&mut self.rest, 0),
                Some(p) => {
                    put_varint(&mut self.rest, p.len() as u64 + 1);
                    self.rest.extend_from_slice(p.as_bytes());
                }
            }
        }
        let (mark, bytes) = match item.fields {
            StoredFields::Json(text) => (1u8, text.as_bytes()),
            StoredFields::Cells(cells) => (2u8, cells),
        };
        self.rest.push(mark);
        put_varint(&mut self.rest, bytes.len() as u64);
        self.rest.extend_from_slice(bytes);
    }
}

fn zstd_error(e: std::io::Error) -> Error {
    Error::invalid(format!("zstd: {e}"))
}

/// A chunk's rest as stored: the slices' count of items, their compressed lengths, and their
/// frames. `ends` is where each slice ends in `raw` (every `SLICE_ITEMS` items, and the end).
fn pack_rest(compressor: &mut zstd::bulk::Compressor<'static>, raw: &[u8], ends: &[usize]) -> Result<Vec<u8>> {
    let mut frames = Vec::with_capacity(ends.len());
    let mut start = 0;
    for &end in ends {
        frames.push(compressor.compress(&raw[start..end]).map_err(zstd_error)?);
        start = end;
    }
    let mut out = Vec::with_capacity(frames.iter().map(Vec::len).sum::<usize>() + 4 * frames.len() + 2);
    put_varint(&mut out, SLICE_ITEMS as u64);
    for frame in &frames {
        put_varint(&mut out, frame.len() as u64);
    }
    for frame in &frames {
        out.extend_from_slice(frame);
    }
    Ok(out)
}

/// Where each of `count` items starts in a decompressed rest (or slice of one), each item's
/// parts checked (the line, the date's and the amount's UTF-8, the fields' mark and, as JSON
/// text, UTF-8), and the items ending exactly at its end; None when not.
fn walk_rest(raw: &[u8], count: usize) -> Option<Vec<usize>> {
    let mut starts = Vec::with_capacity(count);
    let mut r = 0;
    for _ in 0..count {
        starts.push(r);
        get_varint(raw, &mut r)?;
        get_optional_text(raw, &mut r)?;
        get_optional_text(raw, &mut r)?;
        let mark = *raw.get(r)?;
        r += 1;
        let len = get_varint(raw, &mut r)?;
        let bytes = get_bytes(raw, &mut r, len)?;
        match mark {
            1 => std::str::from_utf8(bytes).ok().map(|_| ())?,
            2 => (),
            _ => return None,
        }
    }
    (r == raw.len()).then_some(starts)
}

/// One zstd frame decompressed, at most `MAX_RAW` bytes; `damaged` names the chunk.
fn unpack(frame: &[u8], damaged: &dyn Fn(&str) -> Error) -> Result<Vec<u8>> {
    // Every frame Tickmark writes declares its size: at most MAX_RAW is made room for, and a
    // frame that holds more than it declares fails to decompress. A frame written by another
    // zstd (streaming, no size declared) is read as a stream, up to MAX_RAW.
    let declared = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(n)) => n,
        Ok(None) => {
            use std::io::Read;
            let mut out = Vec::new();
            let decoder = zstd::stream::read::Decoder::with_buffer(frame)
                .map_err(|e| damaged(&format!("not a zstd frame ({e})")))?;
            decoder.take(MAX_RAW + 1).read_to_end(&mut out).map_err(|e| damaged(&format!("not a zstd frame ({e})")))?;
            if out.len() as u64 > MAX_RAW {
                return Err(damaged("it decompresses to more than any chunk holds"));
            }
            return Ok(out);
        }
        Err(_) => return Err(damaged("not a zstd frame")),
    };
    if declared > MAX_RAW {
        return Err(damaged("it decompresses to more than any chunk holds"));
    }
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        let d = match &mut *d {
            Some(d) => d,
            empty => empty.insert(zstd::bulk::Decompressor::new().map_err(zstd_error)?),
        };
        let out = d.decompress(frame, declared as usize).map_err(|e| damaged(&format!("not a zstd frame ({e})")))?;
        if out.len() as u64 != declared {
            return Err(damaged("it decompresses to a size other than it declares"));
        }
        Ok(out)
    })
}

/// Keys inserted into the key index by one statement: fewer statement runs, the same B-tree
/// work.
const KEYS_A_STATEMENT: usize = 64;

/// Stores encoded chunks of one population, in position order, and their keys in the key index.
pub(crate) struct ChunkStore {
    population_id: i64,
    items: u64,
    order: KeyOrder,
    /// Keys in no order go to a temporary table, into the index sorted at the end.
    deferred: bool,
    /// The text of the statement inserting a full batch of keys, and whether it was for the
    /// temporary table.
    full_insert: Option<(bool, String)>,
}

impl ChunkStore {
    pub(crate) fn new(population_id: i64) -> ChunkStore {
        ChunkStore { population_id, items: 0, order: KeyOrder::default(), deferred: false, full_insert: None }
    }

    /// Writes `chunk` and, unless `with_keys` is false (the upgrade copies keys in SQL), its keys.
    pub(crate) fn write(&mut self, conn: &Connection, chunk: &EncodedChunk, with_keys: bool) -> Result<()> {
        conn.prepare_cached(
            "INSERT INTO population_chunk (population_id, first_position, items, keys, rest) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![self.population_id, chunk.first, chunk.count as i64, chunk.keys, chunk.rest])?;
        self.items += chunk.count as u64;
        if with_keys {
            self.index_keys(conn, chunk)?;
        }
        Ok(())
    }

    fn index_keys(&mut self, conn: &Connection, chunk: &EncodedChunk) -> Result<()> {
        if !self.deferred {
            for (key, _) in chunk.keys() {
                self.order.follow(key);
            }
            if self.order.out_of_order() {
                // Keys in no order would make every insert a page of the index read back
                // and written again: the rest go aside and into the index once, sorted.
                conn.execute_batch(
                    "DROP TABLE IF EXISTS temp.import_key;
                     CREATE TEMP TABLE import_key (key TEXT NOT NULL, position INTEGER NOT NULL);",
                )?;
                self.deferred = true;
            }
        }
        // (key, position) pairs as ?2, ?3, ?4, ?5, …; the population, where the table has it, is ?1.
        let sql = |deferred: bool, rows: usize| {
            let values = (0..rows).map(|i| {
                if deferred {
                    format!("(?{}, ?{})", 2 * i + 2, 2 * i + 3)
                } else {
                    format!("(?1, ?{}, ?{})", 2 * i + 2, 2 * i + 3)
                }
            });
            let into = if deferred {
                "temp.import_key (key, position)"
            } else {
                "population_key (population_id, key, position)"
            };
            format!("INSERT INTO {into} VALUES {}", values.collect::<Vec<_>>().join(", "))
        };
        // A full statement's text is made once per import (and again if the keys go aside), not
        // once per 64 keys.
        if self.full_insert.as_ref().is_none_or(|(deferred, _)| *deferred != self.deferred) {
            self.full_insert = Some((self.deferred, sql(self.deferred, KEYS_A_STATEMENT)));
        }
        let keys: Vec<(&str, i64)> = chunk.keys().collect();
        for rows in keys.chunks(KEYS_A_STATEMENT) {
            let mut insert = match &self.full_insert {
                Some((_, full)) if rows.len() == KEYS_A_STATEMENT => conn.prepare_cached(full)?,
                _ => conn.prepare_cached(&sql(self.deferred, rows.len()))?,
            };
            if !self.deferred {
                insert.raw_bind_parameter(1, self.population_id)?;
            }
            for (i, (key, position)) in rows.iter().enumerate() {
                insert.raw_bind_parameter(2 * i + 2, key)?;
                insert.raw_bind_parameter(2 * i + 3, position)?;
            }
            insert.raw_execute()?;
        }
        Ok(())
    }

    /// Completes the key index; returns the number of items written.
    pub(crate) fn finish(self, conn: &Connection) -> Result<u64> {
        if self.deferred {
            conn.execute(
                "INSERT INTO population_key (population_id, key, position)
                 SELECT ?1, key, position FROM temp.import_key ORDER BY key COLLATE NOCASE, position",
                [self.population_id],
            )?;
            conn.execute_batch("DROP TABLE temp.import_key")?;
        }
        Ok(self.items)
    }
}

/// Writes a population's items in position order on one thread: chunks, and the key index.
pub(crate) struct ChunkWriter {
    encoder: ChunkEncoder,
    store: ChunkStore,
}

impl ChunkWriter {
    pub(crate) fn new(population_id: i64) -> Result<ChunkWriter> {
        Ok(ChunkWriter { encoder: ChunkEncoder::new()?, store: ChunkStore::new(population_id) })
    }

    /// Adds the next item: positions run 1, 2, 3, … without a gap.
    pub(crate) fn push(&mut self, conn: &Connection, item: ItemRef<'_>) -> Result<()> {
        if let Some(chunk) = self.encoder.push(item)? {
            self.store.write(conn, &chunk, true)?;
        }
        Ok(())
    }

    /// Writes the last chunk and completes the key index; returns the number of items.
    pub(crate) fn finish(mut self, conn: &Connection) -> Result<u64> {
        if let Some(chunk) = self.encoder.finish()? {
            self.store.write(conn, &chunk, true)?;
        }
        self.store.finish(conn)
    }
}

/// Whether an import's keys come in (about) the key index's order, so that writing the index
/// as the items come costs little, or in no order, so that sorting them once at the end costs
/// less (inserting out of order reads and writes a page of the index for most items once it
/// outgrows SQLite's page cache).
#[derive(Default)]
struct KeyOrder {
    previous: String,
    keys: u64,
    /// Keys that sort before the one written just before them (ASCII case folded).
    descents: u64,
}

impl KeyOrder {
    fn follow(&mut self, key: &str) {
        if key.bytes().map(|b| b.to_ascii_lowercase()).lt(self.previous.bytes().map(|b| b.to_ascii_lowercase())) {
            self.descents += 1;
        }
        self.previous.clear();
        self.previous.push_str(key);
        self.keys += 1;
    }

    /// Past the first few thousand items, one key in eight or more going back.
    fn out_of_order(&self) -> bool {
        self.keys >= 8192 && self.descents * 8 >= self.keys
    }
}

thread_local! {
    /// One zstd decompression context a thread, reused: setting one up cost more than
    /// decompressing a chunk's keys (a key search reads hundreds of chunks).
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// A chunk read back: its first position, its keys decompressed, and, when read with it, its
/// rest, each slice decompressed when an item in it is first asked for.
pub(crate) struct Chunk {
    population_id: i64,
    first: i64,
    keys: Vec<u8>,
    /// Where each item's key starts in `keys`.
    key_starts: Vec<usize>,
    rest: Option<Rest>,
}

/// A chunk's rest as read: its slices' frames, and those decompressed so far.
struct Rest {
    per_slice: usize,
    blob: Vec<u8>,
    /// Each slice's frame in `blob`.
    frames: Vec<std::ops::Range<usize>>,
    slices: Vec<std::cell::OnceCell<Slice>>,
}

/// One slice of a chunk's rest, decompressed and checked, with where each item starts in it.
struct Slice {
    raw: Vec<u8>,
    starts: Vec<usize>,
}

impl Chunk {
    fn damaged(population_id: i64, first: i64, why: &str) -> Error {
        Error::invalid(format!(
            "population {population_id}: the stored items from position {first} (population_chunk) are damaged: {why}"
        ))
    }

    fn decode(population_id: i64, first: i64, count: i64, keys: &[u8], rest: Option<&[u8]>) -> Result<Chunk> {
        let damaged = |why: &str| Chunk::damaged(population_id, first, why);
        let count = usize::try_from(count)
            .ok()
            .filter(|&c| c > 0 && c <= CHUNK_ITEMS)
            .ok_or_else(|| damaged(&format!("it claims {count} items")))?;
        let keys = unpack(keys, &damaged)?;
        let mut key_starts = Vec::with_capacity(count);
        let mut k = 0;
        for _ in 0..count {
            key_starts.push(k);
            // Each key's UTF-8 is checked when it is asked for as text (`key_at`): a sample's
            // row needs one key of the chunk's 1,024, a key scan compares bytes.
            let len = get_varint(&keys, &mut k).ok_or_else(|| damaged("a key is cut short"))?;
            get_bytes(&keys, &mut k, len).ok_or_else(|| damaged("a key is cut short"))?;
        }
        if k != keys.len() {
            return Err(damaged("its keys frame holds more than its items' keys"));
        }
        let rest = match rest {
            None => None,
            Some(blob) => Some(Rest::parse(blob, count).ok_or_else(|| damaged("its slices' lengths do not add up"))?),
        };
        Ok(Chunk { population_id, first, keys, key_starts, rest })
    }

    pub(crate) fn first(&self) -> i64 {
        self.first
    }

    pub(crate) fn len(&self) -> usize {
        self.key_starts.len()
    }

    pub(crate) fn last(&self) -> i64 {
        self.first + self.len() as i64 - 1
    }

    /// The key of the item at `position`, which the chunk holds.
    pub(crate) fn key_at(&self, position: i64) -> Result<&str> {
        std::str::from_utf8(self.key_bytes_at(position)).map_err(|_| {
            Chunk::damaged(self.population_id, self.first, &format!("the key of item {position} is not UTF-8"))
        })
    }

    /// The key's bytes (not checked as UTF-8: `key_at` does), for comparisons that need no `str`.
    pub(crate) fn key_bytes_at(&self, position: i64) -> &[u8] {
        let mut k = self.key_starts[(position - self.first) as usize];
        let len = get_varint(&self.keys, &mut k).expect("checked when decoded");
        get_bytes(&self.keys, &mut k, len).expect("checked when decoded")
    }

    /// The item at `position`, which the chunk holds; the chunk was read with its rest. Its
    /// slice is decompressed and checked the first time one of its items is asked for.
    pub(crate) fn item(&self, position: i64) -> Result<ItemRef<'_>> {
        let index = (position - self.first) as usize;
        let rest = self.rest.as_ref().expect("a chunk read with its rest");
        let (n, within) = (index / rest.per_slice, index % rest.per_slice);
        let cell = &rest.slices[n];
        let slice = match cell.get() {
            Some(slice) => slice,
            None => {
                let damaged = |why: &str| Chunk::damaged(self.population_id, self.first, why);
                let raw = unpack(&rest.blob[rest.frames[n].clone()], &damaged)?;
                let items = rest.per_slice.min(self.len() - n * rest.per_slice);
                let starts = walk_rest(&raw, items).ok_or_else(|| {
                    damaged(&format!(
                        "an item's line, date, amount or fields in the slice from position {} are cut short",
                        self.first + (n * rest.per_slice) as i64
                    ))
                })?;
                cell.get_or_init(|| Slice { raw, starts })
            }
        };
        let b = &slice.raw;
        let mut r = slice.starts[within];
        let source_row = get_varint(b, &mut r).expect("checked when decoded") as i64;
        let date = get_optional_text(b, &mut r).expect("checked when decoded");
        let amount = get_optional_text(b, &mut r).expect("checked when decoded");
        let mark = b[r];
        r += 1;
        let len = get_varint(b, &mut r).expect("checked when decoded");
        let bytes = get_bytes(b, &mut r, len).expect("checked when decoded");
        let fields = if mark == 1 {
            StoredFields::Json(std::str::from_utf8(bytes).expect("checked when decoded"))
        } else {
            StoredFields::Cells(bytes)
        };
        Ok(ItemRef { position, source_row, key: self.key_at(position)?, date, amount, fields })
    }
}

impl Rest {
    /// The header of a stored rest (its slices' size and frames' lengths) checked against the
    /// chunk's `count` items and the blob's length.
    fn parse(blob: &[u8], count: usize) -> Option<Rest> {
        let mut at = 0;
        let per_slice = usize::try_from(get_varint(blob, &mut at)?).ok().filter(|&p| (1..=CHUNK_ITEMS).contains(&p))?;
        let n = count.div_ceil(per_slice);
        let mut lengths = Vec::with_capacity(n);
        for _ in 0..n {
            lengths.push(usize::try_from(get_varint(blob, &mut at)?).ok()?);
        }
        let mut frames = Vec::with_capacity(n);
        for len in lengths {
            let end = at.checked_add(len).filter(|&end| end <= blob.len())?;
            frames.push(at..end);
            at = end;
        }
        (at == blob.len()).then(|| Rest {
            per_slice,
            blob: blob.to_vec(),
            frames,
            slices: (0..n).map(|_| std::cell::OnceCell::new()).collect(),
        })
    }
}

fn blob<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'a [u8]> {
    Ok(match r.get_ref(i)? {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
        _ => &[],
    })
}

fn decode_row(population_id: i64, r: &rusqlite::Row<'_>, with_rest: bool) -> Result<Chunk> {
    let (first, count): (i64, i64) = (r.get(0)?, r.get(1)?);
    Chunk::decode(population_id, first, count, blob(r, 2)?, if with_rest { Some(blob(r, 3)?) } else { None })
}

/// Calls `f` with each chunk from the one holding `from` on, in position order, until it
/// returns false. A gap or an overlap between chunks is damage.
pub(crate) fn for_each_chunk(
    conn: &Connection,
    population_id: i64,
    from: i64,
    with_rest: bool,
    mut f: impl FnMut(&Chunk) -> Result<bool>,
) -> Result<()> {
    let start: i64 = conn
        .prepare_cached(
            "SELECT first_position FROM population_chunk WHERE population_id = ?1 AND first_position <= ?2
             ORDER BY first_position DESC LIMIT 1",
        )?
        .query_row(params![population_id, from.max(1)], |r| r.get(0))
        .optional()?
        .unwrap_or(1);
    let mut stmt = conn.prepare_cached(if with_rest {
        "SELECT first_position, items, keys, rest FROM population_chunk
         WHERE population_id = ?1 AND first_position >= ?2 ORDER BY first_position"
    } else {
        // Without the rest: a key scan then reads a page or so a chunk, not the rest's
        // overflow pages as well.
        "SELECT first_position, items, keys, NULL FROM population_chunk
         WHERE population_id = ?1 AND first_position >= ?2 ORDER BY first_position"
    })?;
    let mut rows = stmt.query(params![population_id, start])?;
    let mut expected = None;
    while let Some(r) = rows.next()? {
        let chunk = decode_row(population_id, r, with_rest)?;
        if let Some(want) = expected
            && chunk.first != want
        {
            return Err(Chunk::damaged(
                population_id,
                chunk.first,
                &format!("the chunk before it ends at position {}", want - 1),
            ));
        }
        expected = Some(chunk.last() + 1);
        if !f(&chunk)? {
            break;
        }
    }
    Ok(())
}

/// Calls `f` with every item from position `from` on, in position order, until it returns false.
pub(crate) fn for_each_item(
    conn: &Connection,
    population_id: i64,
    from: i64,
    mut f: impl FnMut(ItemRef<'_>) -> Result<bool>,
) -> Result<()> {
    for_each_chunk(conn, population_id, from, true, |chunk| {
        for position in chunk.first().max(from)..=chunk.last() {
            if !f(chunk.item(position)?)? {
                return Ok(false);
            }
        }
        Ok(true)
    })
}

/// Reads items by position, keeping the last chunk read (positions asked in order share it).
///
/// It prepares its own statement, on its first read, rather than taking one from rusqlite's
/// cache: a cached statement has its bindings cleared when it goes back, and SQLite then
/// re-prepares it on the next use, because it marks `population_id = ?1` as a value the plan may
/// depend on (a bound 0 or 1). A sample's 60 rows cost 60 re-parses that way.
pub(crate) struct ItemLookup<'c> {
    conn: &'c Connection,
    population_id: i64,
    stmt: Option<rusqlite::Statement<'c>>,
    chunk: Option<Chunk>,
}

impl<'c> ItemLookup<'c> {
    pub(crate) fn new(conn: &'c Connection, population_id: i64) -> ItemLookup<'c> {
        ItemLookup { conn, population_id, stmt: None, chunk: None }
    }

    pub(crate) fn get(&mut self, position: i64) -> Result<Option<ItemRef<'_>>> {
        let held = self.chunk.as_ref().is_some_and(|c| (c.first()..=c.last()).contains(&position));
        if !held {
            let stmt = match &mut self.stmt {
                Some(stmt) => stmt,
                empty => empty.insert(self.conn.prepare(
                    "SELECT first_position, items, keys, rest FROM population_chunk
                     WHERE population_id = ?1 AND first_position <= ?2 ORDER BY first_position DESC LIMIT 1",
                )?),
            };
            let mut rows = stmt.query(params![self.population_id, position])?;
            self.chunk = match rows.next()? {
                Some(r) => Some(decode_row(self.population_id, r, true)?),
                None => None,
            };
        }
        self.chunk.as_ref().filter(|c| (c.first()..=c.last()).contains(&position)).map(|c| c.item(position)).transpose()
    }
}

/// How many items the population holds.
pub(crate) fn count(conn: &Connection, population_id: i64) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT COALESCE(SUM(items), 0) FROM population_chunk WHERE population_id = ?1",
        [population_id],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Whether `population_key` holds exactly each item's key at its position: read in position
/// order (SQLite sorts the index's rows, in bounded memory) beside the chunks' keys. The first
/// difference, or None.
pub(crate) fn check_keys(conn: &Connection, population_id: i64) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT position, key FROM population_key WHERE population_id = ?1 ORDER BY position, key COLLATE BINARY",
    )?;
    let mut rows = stmt.query([population_id])?;
    let mut problem = None;
    for_each_chunk(conn, population_id, 1, false, |chunk| {
        for position in chunk.first()..=chunk.last() {
            let key = chunk.key_at(position)?;
            let indexed = match rows.next()? {
                Some(r) => Some((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
                None => None,
            };
            if indexed.as_ref().is_none_or(|(p, k)| *p != position || k != key) {
                problem = Some(match indexed {
                    None => format!("its key index (population_key) lacks item {position}"),
                    Some((p, k)) => format!(
                        "its key index (population_key) has {k:?} at position {p} where the items have {key:?} at position {position}"
                    ),
                });
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    if problem.is_none()
        && let Some(r) = rows.next()?
    {
        problem = Some(format!(
            "its key index (population_key) holds {:?} at position {}, which is not an item",
            r.get::<_, String>(1)?,
            r.get::<_, i64>(0)?
        ));
    }
    Ok(problem)
}

/// Schema 12's upgrade: the items of every population from `population_item` into chunks
/// (the SQL migration has already copied their keys into `population_key`). Items keep their
/// stored parts exactly, fields as JSON text or JSONB, so every recorded digest still holds.
pub(crate) fn move_legacy_items(conn: &Connection) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT DISTINCT population_id FROM population_item ORDER BY population_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let mut encoder = ChunkEncoder::new()?;
        let mut store = ChunkStore::new(id);
        let mut stmt = conn.prepare(
            "SELECT position, source_row, key, date, amount, fields FROM population_item WHERE population_id = ?1 ORDER BY position",
        )?;
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            let (key, date, amount): (String, Option<String>, Option<String>) = (r.get(2)?, r.get(3)?, r.get(4)?);
            let position: i64 = r.get(0)?;
            let item = ItemRef {
                position,
                source_row: r.get(1)?,
                key: &key,
                date: date.as_deref(),
                amount: amount.as_deref(),
                fields: StoredFields::of(r, 5)?,
            };
            // Positions are 1..N; a file whose items were deleted or renumbered outside
            // Tickmark keeps what it holds, and `verify` names the digest that no longer holds.
            if position != encoder.next {
                if let Some(chunk) = encoder.finish()? {
                    store.write(conn, &chunk, false)?;
                }
                encoder.first = position;
                encoder.next = position;
            }
            if let Some(chunk) = encoder.push(item)? {
                store.write(conn, &chunk, false)?;
            }
        }
        if let Some(chunk) = encoder.finish()? {
            store.write(conn, &chunk, false)?;
        }
    }
    Ok(())
}

/// Schema 14's upgrade: each chunk's rest, written by schema 12–13 as one zstd frame, re-encoded
/// in slices. The items' parts are unchanged, and so is every digest. A rest that does not
/// decompress or walk is left as it was: `verify` names it as damaged, as it did before.
pub(crate) fn slice_rests(conn: &Connection) -> Result<()> {
    let chunks: Vec<(i64, i64, i64)> = conn
        .prepare(
            "SELECT population_id, first_position, items FROM population_chunk ORDER BY population_id, first_position",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut compressor = zstd::bulk::Compressor::new(LEVEL).map_err(zstd_error)?;
    let mut read =
        conn.prepare("SELECT rest FROM population_chunk WHERE population_id = ?1 AND first_position = ?2")?;
    let mut write =
        conn.prepare("UPDATE population_chunk SET rest = ?3 WHERE population_id = ?1 AND first_position = ?2")?;
    for (population_id, first, count) in chunks {
        let frame: Vec<u8> = read.query_row(params![population_id, first], |r| r.get(0))?;
        let damaged = |why: &str| Chunk::damaged(population_id, first, why);
        let Ok(raw) = unpack(&frame, &damaged) else { continue };
        let Some(starts) = usize::try_from(count).ok().and_then(|count| walk_rest(&raw, count)) else { continue };
        let ends: Vec<usize> =
            starts.iter().skip(SLICE_ITEMS).step_by(SLICE_ITEMS).copied().chain([raw.len()]).collect();
        write.execute(params![population_id, first, pack_rest(&mut compressor, &raw, &ends)?])?;
    }
    Ok(())
}
