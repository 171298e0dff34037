//! Streaming filter that keeps only one pod's lines of a kubelet `/metrics/cadvisor` body.
//!
//! The body arrives in chunks that may split a line anywhere, even inside a UTF-8
//! character. [`PodLineFilter`] carries the partial last line from one chunk to the next
//! and never splits the body into lines: it searches each chunk for the quoted pod name
//! (and for the pod UID, if given) and for `#`, and reads only the lines around those
//! hits. Every such line then gets the exact check of [`line_matches`], so the result is
//! the same as parsing every line, only much faster.
//!
//! Output: the kept sample lines, byte for byte, each ended by `\n`. Before the first kept
//! sample of a family come that family's latest `# HELP` and `# TYPE` lines (in that
//! order) seen so far, once. A sample belongs to the family of the last metadata line
//! when its name is that family name or that name followed by `_...` (histogram and
//! summary series), and otherwise to the family named like the sample. Other comments and
//! blank lines are dropped. A line that mentions the pod but cannot be read is never
//! dropped unseen: it is kept verbatim for the parser to report (see [`line_kept`]), or,
//! when it is not UTF-8 or longer than [`MAX_LINE_BYTES`], counted in
//! [`FilterStats::unreadable`].
//!
//! Memory is bounded whatever the body: the carried line by [`MAX_LINE_BYTES`], the output
//! by [`KeepLimits`] (past it nothing more is kept and [`FilterStats::cut`] is set), and the
//! metadata held for families without a kept sample by [`MAX_PENDING_META_BYTES`].

use std::collections::HashMap;

use memchr::memmem::Finder;

mod lines;

pub use lines::{cgroup_path_has_pod, line_kept, line_matches};

use super::parse::{self, Line, MAX_LINE_BYTES, Meta};
use lines::{is_comment, needle_texts, sample_matches};

/// Which pod to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSelector {
    /// Value the `namespace` label must have.
    pub namespace: String,
    /// Value the `pod` (or legacy `pod_name`) label must have.
    pub pod: String,
    /// Pod UID; when set, rows whose `id` cgroup path belongs to this pod are kept too,
    /// whatever their labels say. An empty UID is treated as no UID.
    pub uid: Option<String>,
}

impl PodSelector {
    /// A selector by namespace and pod name, without UID.
    pub fn new(namespace: impl Into<String>, pod: impl Into<String>) -> Self {
        PodSelector {
            namespace: namespace.into(),
            pod: pod.into(),
            uid: None,
        }
    }

    /// The same selector, also matching cgroup paths of the pod with this UID.
    pub fn with_uid(mut self, uid: impl Into<String>) -> Self {
        self.uid = Some(uid.into());
        self
    }

    fn uid(&self) -> Option<&str> {
        self.uid.as_deref().filter(|u| !u.is_empty())
    }
}

/// Counters of a [`PodLineFilter`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilterStats {
    /// Bytes pushed.
    pub bytes_in: u64,
    /// Lines seen (a final line without `\n` counts once [`PodLineFilter::finish`] ran).
    pub lines_in: u64,
    /// Sample lines kept.
    pub lines_kept: u64,
    /// `# HELP` and `# TYPE` lines written.
    pub meta_lines_kept: u64,
    /// Bytes written to the output.
    pub bytes_out: u64,
    /// A [`KeepLimits`] was reached: a matching line was not kept, nor anything after it.
    pub cut: bool,
    /// Lines that mention the pod (contain a needle) but could not be read: not UTF-8,
    /// not a sample line, or longer than [`MAX_LINE_BYTES`].
    pub unreadable: u64,
    /// Of those, the ones kept verbatim in the output (UTF-8 and not too long, up to
    /// [`MAX_UNREADABLE_KEPT`] and the [`KeepLimits`]), for the parser to report.
    pub unreadable_kept: u64,
    /// Some line of the body was read as the text format (a `# HELP`/`# TYPE` line, a
    /// sample, or the first line); false for a body of garbage.
    pub readable: bool,
}

/// Most unreadable lines that mention the pod a [`PodLineFilter`] keeps (the rest are
/// counted in [`FilterStats::unreadable`]).
pub const MAX_UNREADABLE_KEPT: u64 = 100;

/// Longest unreadable line kept (longer ones are counted): at most 400 KiB of them in all,
/// so they never crowd the pod's readable lines out of the [`KeepLimits`].
pub const MAX_UNREADABLE_LINE_BYTES: usize = 4096;

/// How much of the body's first line a [`PodLineFilter`] keeps, see [`PodLineFilter::head`].
pub const HEAD_BYTES: usize = 4096;

/// The most a [`PodLineFilter`] keeps of one body. A real pod has a few hundred cAdvisor
/// lines; a body that matches more is cut, and [`FilterStats::cut`] says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepLimits {
    /// Kept sample lines.
    pub lines: u64,
    /// Kept bytes (samples and their `# HELP`/`# TYPE` lines, with their `\n`).
    pub bytes: u64,
}

impl KeepLimits {
    /// 20 000 lines, 8 MiB.
    pub const DEFAULT: KeepLimits = KeepLimits {
        lines: 20_000,
        bytes: 8 * 1024 * 1024,
    };
}

/// Most bytes of `# HELP`/`# TYPE` lines held for families that have no kept sample yet;
/// past it, only the current family's are held (real bodies hold a few KiB).
pub const MAX_PENDING_META_BYTES: usize = 1024 * 1024;

/// Filters `body` in one go: [`PodLineFilter::new`], one `push`, then `finish`.
pub fn filter_all(body: &[u8], sel: &PodSelector) -> Vec<u8> {
    let mut filter = PodLineFilter::new(sel.clone());
    let mut out = Vec::new();
    filter.push(body, &mut out);
    filter.finish(&mut out);
    out
}

/// The latest metadata lines of one family, and whether they were written already.
#[derive(Debug, Default)]
struct FamilyMeta {
    help: Option<Vec<u8>>,
    kind: Option<Vec<u8>>,
    emitted: bool,
}

impl FamilyMeta {
    /// Bytes of metadata held, not written yet.
    fn pending(&self) -> usize {
        self.help.as_ref().map_or(0, Vec::len) + self.kind.as_ref().map_or(0, Vec::len)
    }
}

/// Keeps one pod's lines out of a body pushed chunk by chunk; see the module docs.
#[derive(Debug)]
pub struct PodLineFilter {
    sel: PodSelector,
    /// Texts that every kept sample line contains: the escaped, quoted pod name, and the
    /// escaped UID in both its cgroupfs and systemd spellings.
    needles: Vec<Finder<'static>>,
    /// The partial last line of the previous chunks (without `\n`).
    carry: Vec<u8>,
    /// The carried line is longer than [`MAX_LINE_BYTES`] and is being dropped.
    skipping: bool,
    families: HashMap<String, FamilyMeta>,
    /// Name on the last metadata line seen.
    current_family: Option<String>,
    /// Bytes of metadata lines held in `families` and not written yet.
    pending_meta: usize,
    limits: KeepLimits,
    stats: FilterStats,
    /// The body's first line, up to [`HEAD_BYTES`]; `head_done` once it is complete.
    head: Vec<u8>,
    head_done: bool,
}

impl PodLineFilter {
    /// A filter for the pod `sel`.
    pub fn new(sel: PodSelector) -> Self {
        let needles = needle_texts(&sel)
            .iter()
            .map(|t| Finder::new(t.as_bytes()).into_owned())
            .collect();
        PodLineFilter {
            sel,
            needles,
            carry: Vec::new(),
            skipping: false,
            families: HashMap::new(),
            current_family: None,
            pending_meta: 0,
            limits: KeepLimits::DEFAULT,
            stats: FilterStats::default(),
            head: Vec::new(),
            head_done: false,
        }
    }

    /// The same filter, keeping at most `limits`.
    pub fn with_limits(mut self, limits: KeepLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether a [`KeepLimits`] was reached: nothing more is kept, so the rest of the body
    /// need not be read.
    pub fn is_full(&self) -> bool {
        self.stats.cut
    }

    /// The selector this filter keeps.
    pub fn selector(&self) -> &PodSelector {
        &self.sel
    }

    /// Feeds the next chunk; appends the kept complete lines, each ended by `\n`, to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.stats.bytes_in += chunk.len() as u64;
        self.note_head(chunk);
        if self.stats.cut {
            return;
        }
        self.stats.lines_in += memchr::memchr_iter(b'\n', chunk).count() as u64;
        let rest = self.complete_carry(chunk, out);
        match memchr::memrchr(b'\n', rest) {
            Some(last) => {
                let (lines, tail) = rest.split_at(last + 1);
                self.scan_lines(lines, out);
                self.stash(tail);
            }
            None => self.stash(rest),
        }
    }

    /// Ends the body: handles a final line that had no `\n` (writing it with one).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.stats.cut && (self.skipping || !self.carry.is_empty()) {
            self.stats.lines_in += 1;
            if !self.skipping {
                let line = std::mem::take(&mut self.carry);
                self.handle_line(&line, out);
            }
        }
        self.carry.clear();
        self.skipping = false;
        self.end_head();
    }

    /// The body's first line (at most [`HEAD_BYTES`], without its `\n`): what a body that
    /// [`FilterStats::readable`] says is garbage begins with.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Collects the first line of the body.
    fn note_head(&mut self, chunk: &[u8]) {
        if self.head_done {
            return;
        }
        let room = HEAD_BYTES - self.head.len();
        let end = memchr::memchr(b'\n', chunk).unwrap_or(chunk.len());
        let take = end.min(room);
        self.head
            .extend_from_slice(chunk.get(..take).unwrap_or_default());
        if take < chunk.len() || self.head.len() == HEAD_BYTES {
            self.end_head();
        }
    }

    /// The first line is complete: it counts as read when it is in the text format.
    fn end_head(&mut self) {
        if self.head_done {
            return;
        }
        self.head_done = true;
        let line = self.head.strip_suffix(b"\r").unwrap_or(&self.head);
        if std::str::from_utf8(line).is_ok_and(|t| parse::scan_line(t).is_ok()) && !line.is_empty()
        {
            self.stats.readable = true;
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> FilterStats {
        self.stats
    }

    /// Ends the carried line with the head of `chunk`, if both exist; returns the rest.
    fn complete_carry<'c>(&mut self, chunk: &'c [u8], out: &mut Vec<u8>) -> &'c [u8] {
        if self.carry.is_empty() && !self.skipping {
            return chunk;
        }
        let Some(newline) = memchr::memchr(b'\n', chunk) else {
            self.stash(chunk);
            return &[];
        };
        let (head, rest) = chunk.split_at(newline);
        self.stash(head);
        let line = std::mem::take(&mut self.carry);
        if !self.skipping {
            self.handle_line(&line, out);
        }
        self.skipping = false;
        self.carry = line;
        self.carry.clear();
        rest.get(1..).unwrap_or(&[])
    }

    /// Adds bytes to the carried line, or starts dropping it once it is too long.
    fn stash(&mut self, bytes: &[u8]) {
        if self.skipping {
            return;
        }
        if self.carry.len() + bytes.len() > MAX_LINE_BYTES {
            let room = MAX_LINE_BYTES - self.carry.len();
            self.carry
                .extend_from_slice(bytes.get(..room).unwrap_or_default());
            let carry = std::mem::take(&mut self.carry);
            self.count_overlong(&carry);
            self.carry = carry;
            self.skipping = true;
            self.carry.clear();
        } else {
            self.carry.extend_from_slice(bytes);
        }
    }

    /// Handles complete lines (`lines` starts a line and ends with `\n`), visiting only
    /// the lines that contain `#` or a needle, in order.
    fn scan_lines(&mut self, lines: &[u8], out: &mut Vec<u8>) {
        let mut next: Vec<Option<usize>> = (0..=self.needles.len())
            .map(|k| self.find(k, lines, 0))
            .collect();
        let mut from = 0;
        while let Some(hit) = self.next_hit(lines, from, &mut next) {
            let before = lines.get(from..hit).unwrap_or(&[]);
            let start = memchr::memrchr(b'\n', before).map_or(from, |i| from + i + 1);
            let after = lines.get(hit..).unwrap_or(&[]);
            let end = memchr::memchr(b'\n', after).map_or(lines.len(), |i| hit + i);
            self.handle_line(lines.get(start..end).unwrap_or(&[]), out);
            from = end + 1;
        }
    }

    /// The first hit at or after `from` over all probes; `next` caches each probe's
    /// next hit and is searched again only once `from` has passed it.
    fn next_hit(&self, lines: &[u8], from: usize, next: &mut [Option<usize>]) -> Option<usize> {
        for (probe, slot) in next.iter_mut().enumerate() {
            if slot.is_some_and(|at| at < from) {
                *slot = self.find(probe, lines, from);
            }
        }
        next.iter().flatten().min().copied()
    }

    /// Probe 0 finds `#`; probe k > 0 finds needle k - 1.
    fn find(&self, probe: usize, lines: &[u8], from: usize) -> Option<usize> {
        let hay = lines.get(from..)?;
        let found = match probe.checked_sub(1) {
            None => memchr::memchr(b'#', hay),
            Some(k) => self.needles.get(k)?.find(hay),
        };
        found.map(|i| from + i)
    }

    /// Applies the exact rules to one line (without its `\n`). Once cut, nothing more is
    /// kept, not even a shorter matching line later in the same chunk.
    fn handle_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        if self.stats.cut {
            return;
        }
        if is_comment(line) {
            self.note_meta(line);
            return;
        }
        if line.len() > MAX_LINE_BYTES {
            self.count_overlong(line.get(..MAX_LINE_BYTES).unwrap_or_default());
            return;
        }
        if !self.mentions_pod(line) {
            return;
        }
        let Ok(text) = std::str::from_utf8(line) else {
            self.stats.unreadable += 1;
            return;
        };
        match parse::scan_line(text) {
            Ok(Line::Sample(sample)) => {
                self.stats.readable = true;
                if sample_matches(&sample, &self.sel) {
                    let name = sample.name;
                    self.keep(Some(name), line, out);
                }
            }
            _ => {
                self.stats.unreadable += 1;
                if self.stats.unreadable_kept < MAX_UNREADABLE_KEPT
                    && line.len() <= MAX_UNREADABLE_LINE_BYTES
                {
                    self.keep(None, line, out);
                }
            }
        }
    }

    fn mentions_pod(&self, line: &[u8]) -> bool {
        self.needles.iter().any(|n| n.find(line).is_some())
    }

    /// Counts an over-long line (its first [`MAX_LINE_BYTES`]) that mentions the pod.
    fn count_overlong(&mut self, head: &[u8]) {
        if !is_comment(head) && self.mentions_pod(head) {
            self.stats.unreadable += 1;
        }
    }

    /// Writes a kept line: a sample of family `name` (after its metadata), or with no name
    /// an unreadable line; past the [`KeepLimits`] nothing more is kept (an unreadable line
    /// that does not fit is only counted).
    fn keep(&mut self, name: Option<&str>, line: &[u8], out: &mut Vec<u8>) {
        if !self.room_for(name.unwrap_or(""), line.len()) {
            self.stats.cut |= name.is_some();
            return;
        }
        match name {
            Some(name) => {
                self.emit_meta(name, out);
                self.stats.lines_kept += 1;
            }
            None => self.stats.unreadable_kept += 1,
        }
        self.write(line, out);
    }

    /// Whether a sample line of `len` bytes (and its family's pending metadata) still fits
    /// the [`KeepLimits`].
    fn room_for(&self, sample_name: &str, len: usize) -> bool {
        let key = family_of(self.current_family.as_deref(), sample_name);
        let meta = self.families.get(key).map_or(0, |f| {
            f.help.as_ref().map_or(0, |l| l.len() + 1) + f.kind.as_ref().map_or(0, |l| l.len() + 1)
        });
        let bytes = self.stats.bytes_out + (meta + len + 1) as u64;
        self.stats.lines_kept < self.limits.lines && bytes <= self.limits.bytes
    }

    /// Remembers a `# HELP` / `# TYPE` line as the latest one of its family.
    fn note_meta(&mut self, line: &[u8]) {
        let Ok(text) = std::str::from_utf8(line) else {
            return;
        };
        let Ok(Line::Meta(meta)) = parse::scan_line(text) else {
            return;
        };
        self.stats.readable = true;
        let (name, is_help) = match meta {
            Meta::Help { name, .. } => (name, true),
            Meta::Type { name, .. } => (name, false),
        };
        if self.current_family.as_deref() != Some(name) {
            self.current_family = Some(name.to_owned());
        }
        if self.pending_meta + line.len() > MAX_PENDING_META_BYTES {
            self.forget_pending_meta(name);
        }
        let family = self.families.entry(name.to_owned()).or_default();
        if !family.emitted {
            let slot = if is_help {
                &mut family.help
            } else {
                &mut family.kind
            };
            let old = slot.replace(line.to_vec()).map_or(0, |l| l.len());
            self.pending_meta = self.pending_meta + line.len() - old;
        }
    }

    /// Drops the held metadata of every family but `keep` that has no kept sample (bounds
    /// memory on a body of endless distinct families).
    fn forget_pending_meta(&mut self, keep: &str) {
        self.families
            .retain(|name, f| f.emitted || name.as_str() == keep);
        self.pending_meta = self.families.values().map(FamilyMeta::pending).sum();
    }

    /// Writes the buffered metadata of `sample_name`'s family, the first time only.
    fn emit_meta(&mut self, sample_name: &str, out: &mut Vec<u8>) {
        let key = family_of(self.current_family.as_deref(), sample_name).to_owned();
        let family = self.families.entry(key).or_default();
        if family.emitted {
            return;
        }
        family.emitted = true;
        self.pending_meta -= family.pending();
        let (help, kind) = (family.help.take(), family.kind.take());
        for line in help.into_iter().chain(kind) {
            self.write(&line, out);
            self.stats.meta_lines_kept += 1;
        }
    }

    fn write(&mut self, line: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(line);
        out.push(b'\n');
        self.stats.bytes_out += line.len() as u64 + 1;
    }
}

/// The family a sample called `name` belongs to, given the last metadata name `current`.
fn family_of<'a>(current: Option<&'a str>, name: &'a str) -> &'a str {
    match current {
        Some(family)
            if name
                .strip_prefix(family)
                .is_some_and(|r| r.is_empty() || r.starts_with('_')) =>
        {
            family
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests;
