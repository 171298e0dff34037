//! Where a response body's (decoded) bytes go: through the pod-line filter for a kubelet
//! body, or kept whole up to a cap. Memory is bounded either way: see `limits`.

use super::limits::{KUBELET_KEEP, LIMIT_REACHED, MAX_KUBELET_READ_BYTES, size};
use crate::evidence::{UNREADABLE_BODY, UNREADABLE_LINES, quote_head};
use crate::exposition::{NodeLineFilter, NodeLines, PodLineFilter};

/// The line filter a kubelet body streams through: one pod's lines, or a node's own.
pub enum LineFilter {
    /// `ktrace pod`: the pod's lines.
    Pod(Box<PodLineFilter>),
    /// `ktrace node`: root and pod cgroups, or node and pod series.
    Node(Box<NodeLineFilter>),
}

impl LineFilter {
    fn push(&mut self, data: &[u8], out: &mut Vec<u8>) {
        match self {
            LineFilter::Pod(f) => f.push(data, out),
            LineFilter::Node(f) => f.push(data, out),
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        match self {
            LineFilter::Pod(f) => f.finish(out),
            LineFilter::Node(f) => f.finish(out),
        }
    }

    fn is_full(&self) -> bool {
        match self {
            LineFilter::Pod(f) => f.is_full(),
            LineFilter::Node(f) => f.is_full(),
        }
    }

    /// Whose lines it keeps, in the limit messages.
    fn whose(&self) -> &'static str {
        match self {
            LineFilter::Pod(_) => "the pod",
            LineFilter::Node(_) => "the node",
        }
    }

    fn note(&self) -> String {
        match self {
            LineFilter::Pod(f) => filter_note(f),
            LineFilter::Node(f) => node_filter_note(f),
        }
    }
}

/// A body being read.
pub struct Sink {
    filter: Option<LineFilter>,
    kept: Vec<u8>,
    /// Bytes read so far (decoded).
    pub read: u64,
    cap: usize,
    read_cap: u64,
    /// Why reading stopped early, for a filtered body (it keeps what it has).
    stopped: Option<String>,
}

/// What [`Sink::push`] wants next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// More data.
    More,
    /// Nothing more: the filter kept all it may, or the read limit was reached; finish.
    Done,
    /// An unfiltered body grew past its cap: the answer is not kept.
    TooLarge,
}

impl Sink {
    /// A sink keeping at most `cap` bytes of an unfiltered body; a filtered one keeps what
    /// `limits::KUBELET_KEEP` allows out of at most `limits::MAX_KUBELET_READ_BYTES` read.
    pub fn new(filter: Option<PodLineFilter>, cap: usize) -> Sink {
        Sink::with_filter(filter.map(|f| LineFilter::Pod(Box::new(f))), cap)
    }

    /// A sink with any [`LineFilter`] (see [`Sink::new`]).
    pub fn with_filter(filter: Option<LineFilter>, cap: usize) -> Sink {
        let filter = filter.map(|f| match f {
            LineFilter::Pod(p) => LineFilter::Pod(Box::new(p.with_limits(KUBELET_KEEP))),
            LineFilter::Node(n) => LineFilter::Node(Box::new(n.with_limits(KUBELET_KEEP))),
        });
        Sink {
            filter,
            kept: Vec::new(),
            read: 0,
            cap,
            read_cap: MAX_KUBELET_READ_BYTES,
            stopped: None,
        }
    }

    /// The same sink with another read limit for a filtered body (tests).
    #[cfg(test)]
    pub fn with_read_cap(mut self, read_cap: u64) -> Sink {
        self.read_cap = read_cap;
        self
    }

    /// Whether the body goes through the pod-line filter.
    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    /// The same sink without its filter (an error answer is kept whole, up to the cap).
    pub fn unfiltered(mut self) -> Sink {
        self.filter = None;
        self
    }

    /// The cap of an unfiltered body.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Takes one chunk.
    pub fn push(&mut self, data: &[u8]) -> Next {
        self.read += data.len() as u64;
        let Some(f) = self.filter.as_mut() else {
            if self.kept.len() + data.len() > self.cap {
                return Next::TooLarge;
            }
            self.kept.extend_from_slice(data);
            return Next::More;
        };
        let room = self.read_cap.saturating_sub(self.read - data.len() as u64);
        let take = data.get(..data.len().min(room as usize)).unwrap_or(data);
        f.push(take, &mut self.kept);
        if f.is_full() {
            let keep = KUBELET_KEEP;
            self.stopped = Some(format!(
                "{LIMIT_REACHED}: kept the first {} lines / {} of {}'s lines, the most ktrace keeps of one kubelet body; the rest of the body was not read",
                keep.lines,
                size(keep.bytes),
                f.whose()
            ));
            return Next::Done;
        }
        if self.read >= self.read_cap {
            self.stopped = Some(format!(
                "{LIMIT_REACHED}: stopped reading after {} (decoded), the most ktrace reads of one kubelet body; {} lines after that were not seen",
                size(self.read_cap),
                f.whose().trim_start_matches("the ")
            ));
            return Next::Done;
        }
        Next::More
    }

    /// The kept text, and for a filtered body the note on what was kept (and cut).
    pub fn finish(mut self) -> (String, Option<String>) {
        let note = self.filter.take().map(|mut f| {
            if self.stopped.is_none() {
                f.finish(&mut self.kept);
            }
            let mut note = f.note();
            if let Some(why) = &self.stopped {
                note.push_str("; ");
                note.push_str(why);
            }
            note
        });
        let text = String::from_utf8(self.kept)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        (text, note)
    }
}

fn filter_note(f: &PodLineFilter) -> String {
    let sel = f.selector();
    let st = f.stats();
    let uid = sel
        .uid
        .as_deref()
        .map(|u| format!(" (+ cgroups of pod uid {u})"))
        .unwrap_or_default();
    let mut note = format!(
        "lines with namespace={:?} and pod={:?} (or legacy pod_name){uid}, plus their # HELP/# TYPE; kept {} of {} lines ({} bytes read)",
        sel.namespace, sel.pod, st.lines_kept, st.lines_in, st.bytes_in
    );
    if st.unreadable > 0 {
        note.push_str(&format!(
            "; {} {UNREADABLE_LINES} ({} kept)",
            st.unreadable, st.unreadable_kept
        ));
    }
    if st.bytes_in > 0 && !st.readable {
        let head = String::from_utf8_lossy(f.head());
        note.push_str(&format!(
            "; {UNREADABLE_BODY}; it begins {}",
            quote_head(&head)
        ));
    }
    note
}

fn node_filter_note(f: &NodeLineFilter) -> String {
    let st = f.stats();
    let which = match f.lines() {
        NodeLines::Cadvisor => "the root cgroup (id=\"/\") and the pod-level cgroups",
        NodeLines::Resource => "the lines without a container label (node and pod series)",
    };
    let mut note = format!(
        "{which}, plus their # HELP/# TYPE; kept {} of {} lines ({} bytes read)",
        st.lines_kept, st.lines_in, st.bytes_in
    );
    if st.unreadable > 0 {
        note.push_str(&format!("; {} lines could not be read", st.unreadable));
    }
    note
}

#[cfg(test)]
mod tests;
