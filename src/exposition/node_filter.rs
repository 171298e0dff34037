//! Streaming filter that keeps a node's own lines of a kubelet body, for `ktrace node`:
//!
//! - [`NodeLines::Cadvisor`] (`/metrics/cadvisor`): the root cgroup (`id="/"`, the whole
//!   node, what the kubelet reports as node usage) and the pod-level cgroups (an `id` whose
//!   last component is the pod's: `/kubepods/<qos>/pod<uid>` with the cgroupfs driver,
//!   `…/kubepods-<qos>-pod<uid>.slice` with systemd); container, QoS and system cgroups are
//!   dropped.
//! - [`NodeLines::Resource`] (`/metrics/resource`): every sample without a `container`
//!   label (`node_*`, `pod_*`, scrape errors); the per-container series are dropped.
//!
//! Like the pod filter it carries the partial last line between chunks, keeps the kept
//! lines byte for byte (each ended by `\n`) after their family's latest `# HELP`/`# TYPE`,
//! and is bounded by [`KeepLimits`]. A cadvisor line is parsed only when it contains `"/"`
//! or `kubepods` (every kept line does), so most of a body is only searched.

use std::collections::HashSet;

use memchr::memmem::Finder;

use super::filter::KeepLimits;
use super::parse::{self, Line, MAX_LINE_BYTES, Meta, RawSample};

/// Which of a node's lines to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeLines {
    /// `/metrics/cadvisor`: root and pod-level cgroups.
    Cadvisor,
    /// `/metrics/resource`: samples without a `container` label.
    Resource,
}

/// Counters of a [`NodeLineFilter`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeFilterStats {
    /// Bytes pushed.
    pub bytes_in: u64,
    /// Lines seen.
    pub lines_in: u64,
    /// Sample lines kept.
    pub lines_kept: u64,
    /// A [`KeepLimits`] was reached: nothing was kept after it.
    pub cut: bool,
    /// Lines that could not be read: over-long ones, and candidates that are not UTF-8 or
    /// not in the text format.
    pub unreadable: u64,
}

/// Keeps a node's lines out of a body pushed chunk by chunk; see the module docs.
#[derive(Debug)]
pub struct NodeLineFilter {
    lines: NodeLines,
    probes: [Finder<'static>; 2],
    carry: Vec<u8>,
    skipping: bool,
    /// The family of the last metadata lines, and those lines.
    family: Option<String>,
    meta: Vec<Vec<u8>>,
    emitted: HashSet<String>,
    limits: KeepLimits,
    stats: NodeFilterStats,
    bytes_out: u64,
}

impl NodeLineFilter {
    /// A filter keeping `lines`.
    pub fn new(lines: NodeLines) -> Self {
        NodeLineFilter {
            lines,
            probes: [
                Finder::new(b"\"/\"").into_owned(),
                Finder::new(b"kubepods").into_owned(),
            ],
            carry: Vec::new(),
            skipping: false,
            family: None,
            meta: Vec::new(),
            emitted: HashSet::new(),
            limits: KeepLimits::DEFAULT,
            stats: NodeFilterStats::default(),
            bytes_out: 0,
        }
    }

    /// The same filter, keeping at most `limits`.
    pub fn with_limits(mut self, limits: KeepLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Which lines it keeps.
    pub fn lines(&self) -> NodeLines {
        self.lines
    }

    /// Counters so far.
    pub fn stats(&self) -> NodeFilterStats {
        self.stats
    }

    /// Whether a [`KeepLimits`] was reached (the rest of the body need not be read).
    pub fn is_full(&self) -> bool {
        self.stats.cut
    }

    /// Feeds the next chunk; appends the kept complete lines to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.stats.bytes_in += chunk.len() as u64;
        let mut rest = chunk;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            let (head, tail) = rest.split_at(nl);
            self.stash(head);
            let line = std::mem::take(&mut self.carry);
            if !self.skipping {
                self.handle_line(&line, out);
            }
            self.stats.lines_in += 1;
            self.skipping = false;
            self.carry = line;
            self.carry.clear();
            rest = &tail[1..];
        }
        self.stash(rest);
    }

    /// Ends the body: handles a final line without `\n`.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.skipping || !self.carry.is_empty() {
            self.stats.lines_in += 1;
            let line = std::mem::take(&mut self.carry);
            if !self.skipping {
                self.handle_line(&line, out);
            }
        }
        self.skipping = false;
    }

    fn stash(&mut self, bytes: &[u8]) {
        if self.skipping {
            return;
        }
        if self.carry.len() + bytes.len() > MAX_LINE_BYTES {
            self.carry.clear();
            self.skipping = true;
            self.stats.unreadable += 1;
        } else {
            self.carry.extend_from_slice(bytes);
        }
    }

    fn handle_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        if self.stats.cut {
            return;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let is_candidate = match self.lines {
            NodeLines::Cadvisor => self.probes.iter().any(|p| p.find(line).is_some()),
            NodeLines::Resource => true,
        };
        let comment = line.first() == Some(&b'#');
        if !is_candidate && !comment {
            return;
        }
        let Ok(text) = std::str::from_utf8(line) else {
            self.stats.unreadable += u64::from(!comment);
            return;
        };
        match parse::scan_line(text) {
            Ok(Line::Meta(meta)) => self.note_meta(meta, line),
            Ok(Line::Sample(s)) => {
                if keeps(self.lines, &s) {
                    let name = s.name.to_string();
                    self.keep(&name, line, out);
                }
            }
            Ok(Line::Blank | Line::Comment) => {}
            Err(_) => self.stats.unreadable += 1,
        }
    }

    fn note_meta(&mut self, meta: Meta<'_>, line: &[u8]) {
        let name = match meta {
            Meta::Help { name, .. } | Meta::Type { name, .. } => name,
        };
        if self.family.as_deref() != Some(name) {
            self.family = Some(name.to_string());
            self.meta.clear();
        }
        self.meta.push(line.to_vec());
    }

    fn keep(&mut self, name: &str, line: &[u8], out: &mut Vec<u8>) {
        let family = match &self.family {
            Some(f)
                if name == f
                    || name
                        .strip_prefix(f.as_str())
                        .is_some_and(|r| r.starts_with('_')) =>
            {
                f.clone()
            }
            _ => name.to_string(),
        };
        let meta: Vec<Vec<u8>> =
            if self.emitted.contains(&family) || self.family.as_ref() != Some(&family) {
                Vec::new()
            } else {
                self.meta.clone()
            };
        let need: usize = meta.iter().map(|m| m.len() + 1).sum::<usize>() + line.len() + 1;
        if self.stats.lines_kept >= self.limits.lines
            || self.bytes_out + need as u64 > self.limits.bytes
        {
            self.stats.cut = true;
            return;
        }
        self.emitted.insert(family);
        for m in meta.iter().map(Vec::as_slice).chain([line]) {
            out.extend_from_slice(m);
            out.push(b'\n');
        }
        self.bytes_out += need as u64;
        self.stats.lines_kept += 1;
    }
}

/// Whether a sample is one of the node's lines.
fn keeps(lines: NodeLines, s: &RawSample<'_>) -> bool {
    match lines {
        NodeLines::Cadvisor => s.label("id").is_some_and(|id| is_node_cgroup(&id.value())),
        NodeLines::Resource => s.label("container").is_none(),
    }
}

/// Whether a cAdvisor `id` is the root cgroup `/` or a pod-level cgroup (see the module docs).
pub fn is_node_cgroup(id: &str) -> bool {
    id == "/" || is_pod_cgroup(id)
}

/// Whether a cgroup path is a pod-level cgroup: under `/kubepods…`, its last component is
/// `pod<uid>` (cgroupfs) or `kubepods[-<qos>]-pod<uid>.slice` (systemd).
pub fn is_pod_cgroup(id: &str) -> bool {
    if !id.starts_with("/kubepods") {
        return false;
    }
    let last = id.rsplit('/').next().unwrap_or("");
    if let Some(uid) = last.strip_prefix("pod") {
        return !uid.is_empty() && !uid.contains('.');
    }
    let Some(stem) = last.strip_suffix(".slice") else {
        return false;
    };
    match stem.rsplit_once("-pod") {
        Some((qos, uid)) if !uid.is_empty() => {
            qos == "kubepods"
                || qos
                    .strip_prefix("kubepods-")
                    .is_some_and(|q| !q.is_empty() && !q.contains('-'))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
