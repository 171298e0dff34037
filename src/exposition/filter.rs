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
//! summary series), and otherwise to the family named like the sample. Other comments,
//! blank lines and unreadable lines are dropped, as are lines longer than
//! [`MAX_LINE_BYTES`].

use std::collections::HashMap;

use memchr::memmem::Finder;

use super::parse::{self, Line, MAX_LINE_BYTES, Meta, RawSample};

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
}

/// Whether one sample line belongs to the pod of `sel` (a trailing `\n` or `\r\n` is
/// allowed). This is the exact predicate the filter applies:
/// - the labels say `namespace == sel.namespace` and (`pod == sel.pod` or
///   `pod_name == sel.pod`); a missing label never matches, not even an empty value;
/// - or, when `sel.uid` is set, the `id` label is a cgroup path of that pod, see
///   [`cgroup_path_has_pod`].
///
/// Comments, blank lines, invalid UTF-8 and lines that do not parse never match.
pub fn line_matches(line: &[u8], sel: &PodSelector) -> bool {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    match parse::scan_line(text) {
        Ok(Line::Sample(sample)) => sample_matches(&sample, sel),
        _ => false,
    }
}

/// Whether the cgroup path `path` is the pod cgroup, or lies under it, of the pod with
/// UID `uid`. One `/`-separated component must be either `pod<uid>` (cgroupfs driver)
/// or `kubepods[-<qos>]-pod<uid with '-' as '_'>.slice` (systemd driver).
pub fn cgroup_path_has_pod(path: &str, uid: &str) -> bool {
    if uid.is_empty() {
        return false;
    }
    let systemd_uid = uid.replace('-', "_");
    path.split('/')
        .any(|part| is_pod_component(part, uid, &systemd_uid))
}

fn is_pod_component(part: &str, uid: &str, systemd_uid: &str) -> bool {
    if part.strip_prefix("pod") == Some(uid) {
        return true;
    }
    let qos = part
        .strip_prefix("kubepods")
        .and_then(|p| p.strip_suffix(".slice"))
        .and_then(|p| p.strip_suffix(systemd_uid))
        .and_then(|p| p.strip_suffix("-pod"));
    match qos {
        Some("") => true,
        Some(q) => q
            .strip_prefix('-')
            .is_some_and(|q| !q.is_empty() && !q.contains('-')),
        None => false,
    }
}

fn sample_matches(sample: &RawSample<'_>, sel: &PodSelector) -> bool {
    let has = |name: &str, want: &str| sample.label(name).is_some_and(|l| l.value_is(want));
    let by_labels =
        has("namespace", &sel.namespace) && (has("pod", &sel.pod) || has("pod_name", &sel.pod));
    by_labels
        || sel
            .uid()
            .zip(sample.label("id"))
            .is_some_and(|(uid, id)| cgroup_path_has_pod(&id.value(), uid))
}

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
    stats: FilterStats,
}

impl PodLineFilter {
    /// A filter for the pod `sel`.
    pub fn new(sel: PodSelector) -> Self {
        let mut texts = vec![format!("\"{}\"", escape_label_value(&sel.pod))];
        if let Some(uid) = sel.uid() {
            texts.push(escape_label_value(uid));
            texts.push(escape_label_value(&uid.replace('-', "_")));
        }
        texts.dedup();
        let needles = texts
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
            stats: FilterStats::default(),
        }
    }

    /// The selector this filter keeps.
    pub fn selector(&self) -> &PodSelector {
        &self.sel
    }

    /// Feeds the next chunk; appends the kept complete lines, each ended by `\n`, to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.stats.bytes_in += chunk.len() as u64;
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
        if self.skipping || !self.carry.is_empty() {
            self.stats.lines_in += 1;
            if !self.skipping {
                let line = std::mem::take(&mut self.carry);
                self.handle_line(&line, out);
            }
        }
        self.carry.clear();
        self.skipping = false;
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

    /// Applies the exact rules to one line (without its `\n`).
    fn handle_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        let first = line.iter().find(|&&b| b != b' ' && b != b'\t');
        if first == Some(&b'#') {
            self.note_meta(line);
            return;
        }
        if !self.needles.iter().any(|n| n.find(line).is_some()) {
            return;
        }
        let Ok(text) = std::str::from_utf8(line) else {
            return;
        };
        if let Ok(Line::Sample(sample)) = parse::scan_line(text)
            && sample_matches(&sample, &self.sel)
        {
            self.emit_meta(sample.name, out);
            self.write(line, out);
            self.stats.lines_kept += 1;
        }
    }

    /// Remembers a `# HELP` / `# TYPE` line as the latest one of its family.
    fn note_meta(&mut self, line: &[u8]) {
        let Ok(text) = std::str::from_utf8(line) else {
            return;
        };
        let Ok(Line::Meta(meta)) = parse::scan_line(text) else {
            return;
        };
        let (name, is_help) = match meta {
            Meta::Help { name, .. } => (name, true),
            Meta::Type { name, .. } => (name, false),
        };
        if self.current_family.as_deref() != Some(name) {
            self.current_family = Some(name.to_owned());
        }
        let family = self.families.entry(name.to_owned()).or_default();
        if !family.emitted {
            let slot = if is_help {
                &mut family.help
            } else {
                &mut family.kind
            };
            *slot = Some(line.to_vec());
        }
    }

    /// Writes the buffered metadata of `sample_name`'s family, the first time only.
    fn emit_meta(&mut self, sample_name: &str, out: &mut Vec<u8>) {
        let key = family_of(self.current_family.as_deref(), sample_name).to_owned();
        let family = self.families.entry(key).or_default();
        if family.emitted {
            return;
        }
        family.emitted = true;
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

/// How a label value is written in the text format: `\`, `"` and newline escaped.
fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::parse::{Exposition, Sample, parse};
    use super::*;
    use std::collections::BTreeSet;

    const DUMPS: [&str; 6] = [
        "datadog-integrations-core-gke-cos-docker17-cgv1.prom",
        "google-cadvisor-testdata-prometheus_metrics-SYNTHETIC.prom",
        "nri-k8s-1.15-minikube-kic-docker-cgv1.prom",
        "nri-k8s-1.16-minikube-docker-cgv1.prom",
        "nri-k8s-1.24-minikube-containerd-cgv2.prom",
        "nri-k8s-1.35-minikube-containerd2-cgv2.prom",
    ];

    fn fixture(name: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/realdata/cadvisor/");
        std::fs::read_to_string(format!("{dir}{name}")).unwrap()
    }

    /// The predicate, written against the owned [`Sample`] of a full parse.
    fn keeps(s: &Sample, sel: &PodSelector) -> bool {
        let pod = Some(sel.pod.as_str());
        let by_labels = s.label("namespace") == Some(&sel.namespace)
            && (s.label("pod") == pod || s.label("pod_name") == pod);
        let uid = sel.uid.as_deref().unwrap_or("");
        by_labels || s.label("id").is_some_and(|id| cgroup_path_has_pod(id, uid))
    }

    /// Expected output from a full parse: kept samples, each family's HELP and TYPE line
    /// (as written in `text`) before its first kept sample. Valid for kubelet dumps, whose
    /// families are contiguous and whose sample names equal their family names.
    fn oracle(text: &str, e: &Exposition, sel: &PodSelector) -> (Vec<u8>, usize) {
        let lines: Vec<&str> = text.split('\n').collect();
        let meta_line = |kind: &str, name: &str| {
            let prefix = format!("# {kind} {name} ");
            lines
                .iter()
                .find(|l| l.starts_with(&prefix))
                .map(|l| format!("{l}\n"))
                .unwrap_or_default()
        };
        let (mut out, mut kept, mut seen) = (String::new(), 0, BTreeSet::new());
        for s in e.samples.iter().filter(|s| keeps(s, sel)) {
            if seen.insert(s.name.clone()) {
                out += &meta_line("HELP", &s.name);
                out += &meta_line("TYPE", &s.name);
            }
            out += lines[s.line - 1];
            out += "\n";
            kept += 1;
        }
        (out.into_bytes(), kept)
    }

    fn pods_in(e: &Exposition) -> BTreeSet<(String, String)> {
        let pod_of = |s: &Sample| {
            s.label("pod")
                .or(s.label("pod_name"))
                .unwrap_or("")
                .to_owned()
        };
        e.samples
            .iter()
            .map(|s| (s.label_or_empty("namespace").to_owned(), pod_of(s)))
            .filter(|(ns, pod)| !ns.is_empty() && !pod.is_empty())
            .collect()
    }

    fn filter_in_chunks(
        body: &[u8],
        sel: &PodSelector,
        sizes: &mut dyn FnMut() -> usize,
    ) -> Vec<u8> {
        let mut filter = PodLineFilter::new(sel.clone());
        let (mut out, mut rest) = (Vec::new(), body);
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(sizes().clamp(1, rest.len()));
            filter.push(chunk, &mut out);
            rest = tail;
        }
        filter.finish(&mut out);
        out
    }

    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    fn assert_chunking_invariant(body: &[u8], sel: &PodSelector, with_single_bytes: bool) {
        let whole = filter_all(body, sel);
        let mut fixed: Vec<usize> = vec![7, 4096, 65_536];
        if with_single_bytes {
            fixed.push(1);
        }
        for size in fixed {
            assert_eq!(
                filter_in_chunks(body, sel, &mut || size),
                whole,
                "chunks of {size}, {sel:?}"
            );
        }
        let mut rng = xorshift(0x2545_f491_4f6c_dd1d);
        let mut sizes = move || (rng() % 9000) as usize + 1;
        assert_eq!(
            filter_in_chunks(body, sel, &mut sizes),
            whole,
            "random chunks, {sel:?}"
        );
    }

    #[test]
    fn every_pod_of_every_dump_matches_a_full_parse() {
        let mut pods_checked = 0;
        for name in DUMPS {
            let text = fixture(name);
            let e = parse(&text);
            for (namespace, pod) in pods_in(&e) {
                let sel = PodSelector::new(namespace, pod);
                let (expected, kept) = oracle(&text, &e, &sel);
                let mut filter = PodLineFilter::new(sel.clone());
                let mut out = Vec::new();
                filter.push(text.as_bytes(), &mut out);
                filter.finish(&mut out);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    String::from_utf8(expected).unwrap(),
                    "{name} {sel:?}"
                );
                let stats = filter.stats();
                assert!(kept > 0, "{name} {sel:?}");
                assert_eq!(stats.lines_kept, kept as u64);
                assert_eq!(stats.lines_in, text.matches('\n').count() as u64);
                assert_eq!(stats.bytes_in, text.len() as u64);
                pods_checked += 1;
            }
        }
        assert_eq!(pods_checked, 5 + 15 + 16 + 21 + 18);
    }

    #[test]
    fn chunk_boundaries_do_not_change_the_output() {
        for name in DUMPS {
            let text = fixture(name);
            let pods = pods_in(&parse(&text));
            let picks = [pods.first(), pods.last()];
            for (i, (namespace, pod)) in picks.into_iter().flatten().enumerate() {
                let sel = PodSelector::new(namespace.as_str(), pod.as_str());
                assert_chunking_invariant(text.as_bytes(), &sel, i == 0);
            }
            let none = PodSelector::new("kube-system", "no-such-pod");
            assert_eq!(filter_all(text.as_bytes(), &none), b"");
        }
    }

    fn uid_of(e: &Exposition, pod: &str) -> String {
        let s = e.samples.iter().find(|s| {
            s.label("pod_name") == Some(pod) && !s.label_or_empty("container_name").is_empty()
        });
        let id = s.unwrap().label("id").unwrap();
        id.split('/')
            .find_map(|part| part.strip_prefix("pod"))
            .unwrap()
            .to_owned()
    }

    #[test]
    fn uid_brings_in_unlabelled_pod_cgroup_rows_datadog() {
        let text = fixture("datadog-integrations-core-gke-cos-docker17-cgv1.prom");
        let e = parse(&text);
        let uid = uid_of(&e, "dd-agent-q6hpw");
        assert_eq!(uid, "d2e71e36-10d0-11e8-bd5a-42010af00137");
        let by_name = PodSelector::new("default", "dd-agent-q6hpw");
        let by_uid = by_name.clone().with_uid(uid.as_str());
        assert_eq!(
            filter_all(text.as_bytes(), &by_name),
            oracle(&text, &e, &by_name).0
        );
        let out = filter_all(text.as_bytes(), &by_uid);
        assert_eq!(out, oracle(&text, &e, &by_uid).0);
        let kept = parse(std::str::from_utf8(&out).unwrap());
        assert_eq!(kept.samples.len(), 166);
        let pod_rows: Vec<&Sample> = kept
            .samples
            .iter()
            .filter(|s| s.label("pod_name") == Some(""))
            .collect();
        assert_eq!(pod_rows.len(), 45);
        let ws = pod_rows
            .iter()
            .find(|s| s.name == "container_memory_working_set_bytes")
            .unwrap();
        assert_eq!(ws.value, 214_343_680.0);
        assert_chunking_invariant(text.as_bytes(), &by_uid, true);
    }

    #[test]
    fn uid_matches_systemd_slices_nri_1_16() {
        let text = fixture("nri-k8s-1.16-minikube-docker-cgv1.prom");
        let e = parse(&text);
        let cases = [
            (
                "scraper",
                "e2e-container-creating",
                "5bac24b4-b0fd-47ca-881c-3578da4768be",
                37,
            ),
            (
                "kube-system",
                "metrics-server-6b79b4d69b-x2ps9",
                "33e6ecb0-7ad0-4b91-99a7-1851068cfd35",
                145,
            ),
        ];
        for (namespace, pod, uid, count) in cases {
            let only_uid = PodSelector::new("nope", "nope").with_uid(uid);
            let out = filter_all(text.as_bytes(), &only_uid);
            let by_name = filter_all(text.as_bytes(), &PodSelector::new(namespace, pod));
            assert_eq!(
                out, by_name,
                "{pod}: the uid finds exactly the labelled rows"
            );
            assert_eq!(out, oracle(&text, &e, &only_uid).0);
            assert_eq!(
                parse(std::str::from_utf8(&out).unwrap()).samples.len(),
                count
            );
            assert_chunking_invariant(text.as_bytes(), &only_uid, false);
        }
    }

    #[test]
    fn cgroup_paths() {
        let uid = "d2e71e36-10d0-11e8-bd5a-42010af00137";
        let sd = "d2e71e36_10d0_11e8_bd5a_42010af00137";
        let yes = [
            format!("/kubepods/burstable/pod{uid}"),
            format!("/kubepods/burstable/pod{uid}/326b38"),
            format!("/docker/08cb/kubepods/pod{uid}/x"),
            format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{sd}.slice"),
            format!("/kubepods.slice/kubepods-besteffort-pod{sd}.slice/docker-1.scope"),
            format!("/kubepods.slice/kubepods-pod{sd}.slice"),
        ];
        let no = [
            format!("/kubepods/burstable/pod{uid}0"),
            format!("/kubepods/burstable/pod{}", &uid[..20]),
            format!("/kubepods/burstable/xpod{uid}"),
            format!("/kubepods/burstable/k8s_x_{uid}_0"),
            format!("/kubepods.slice/kubepods--pod{sd}.slice"),
            format!("/kubepods.slice/kubepods-a-b-pod{sd}.slice"),
            format!("/kubepods.slice/kubepods-burstable-pod{uid}.slice"),
            format!("/kubepods.slice/xkubepods-pod{sd}.slice"),
            format!("/kubepods.slice/kubepods-pod{sd}.slicex"),
        ];
        assert!(yes.iter().all(|p| cgroup_path_has_pod(p, uid)), "{yes:?}");
        assert!(!no.iter().any(|p| cgroup_path_has_pod(p, uid)), "{no:?}");
        assert!(!cgroup_path_has_pod("/kubepods/burstable/pod", ""));
    }

    const SMALL: &str = "# HELP a A.\n# TYPE a gauge\n\
        a{namespace=\"ns\",pod=\"web-10\"} 1\n\
        a{namespace=\"other\",pod=\"web-1\"} 2\n\
        # HELP b B.\n# TYPE b counter\n# a comment \"web-1\"\n\
        b{namespace=\"ns\",pod=\"web-1\"} 3\n\
        b{namespace=\"ns\",pod=\"web-1\",x=\"#\"} 4\n\n\
        # HELP d D1.\n# TYPE d gauge\nd{namespace=\"ns\",pod=\"web-10\"} 0\n\
        # HELP h H.\n# TYPE h histogram\n\
        h_bucket{namespace=\"ns\",pod=\"web-1\",le=\"1\"} 1\n\
        h_sum{namespace=\"ns\",pod=\"web-1\"} 1\n\
        c{namespace=\"ns\",pod_name=\"web-1\",v=\"ünï\"} 5\n\
        # HELP b B again.\nb{namespace=\"ns\",pod=\"web-1\"} 6\n\
        # HELP d D2.\nd{namespace=\"ns\",pod=\"web-1\"} 7\n\
        junk{namespace=\"ns\",pod=\"web-1\"} oops\n\
        e{pod=\"web-1\"} 8\n\
        f{namespace=\"ns\",pod=\"web-1\"} 9";

    const SMALL_KEPT: &str = "# HELP b B.\n# TYPE b counter\n\
        b{namespace=\"ns\",pod=\"web-1\"} 3\n\
        b{namespace=\"ns\",pod=\"web-1\",x=\"#\"} 4\n\
        # HELP h H.\n# TYPE h histogram\n\
        h_bucket{namespace=\"ns\",pod=\"web-1\",le=\"1\"} 1\n\
        h_sum{namespace=\"ns\",pod=\"web-1\"} 1\n\
        c{namespace=\"ns\",pod_name=\"web-1\",v=\"ünï\"} 5\n\
        b{namespace=\"ns\",pod=\"web-1\"} 6\n\
        # HELP d D2.\n# TYPE d gauge\nd{namespace=\"ns\",pod=\"web-1\"} 7\n\
        f{namespace=\"ns\",pod=\"web-1\"} 9\n";

    #[test]
    fn metadata_prefixes_and_namespaces() {
        let sel = PodSelector::new("ns", "web-1");
        let mut filter = PodLineFilter::new(sel.clone());
        let mut out = Vec::new();
        filter.push(SMALL.as_bytes(), &mut out);
        assert!(
            !out.ends_with(b"9\n"),
            "the unterminated line waits for finish"
        );
        filter.finish(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), SMALL_KEPT);
        let stats = filter.stats();
        assert_eq!(
            (stats.lines_in, stats.lines_kept, stats.meta_lines_kept),
            (25, 8, 6)
        );
        assert_eq!(stats.bytes_out, SMALL_KEPT.len() as u64);
        assert_chunking_invariant(SMALL.as_bytes(), &sel, true);
        let ten = String::from_utf8(filter_all(
            SMALL.as_bytes(),
            &PodSelector::new("ns", "web-10"),
        ))
        .unwrap();
        assert_eq!(ten.lines().filter(|l| !l.starts_with('#')).count(), 2);
        assert!(filter_all(SMALL.as_bytes(), &PodSelector::new("other", "web-10")).is_empty());
    }

    #[test]
    fn crlf_empty_and_unterminated_input() {
        let sel = PodSelector::new("ns", "web-1");
        assert!(filter_all(b"", &sel).is_empty());
        let mut filter = PodLineFilter::new(sel.clone());
        filter.finish(&mut Vec::new());
        assert_eq!(filter.stats(), FilterStats::default());
        let crlf = SMALL.replace('\n', "\r\n");
        let out = filter_all(crlf.as_bytes(), &sel);
        let expected: String = SMALL_KEPT.lines().map(|l| format!("{l}\r\n")).collect();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            expected.trim_end_matches("\r\n").to_owned() + "\n"
        );
        assert_chunking_invariant(crlf.as_bytes(), &sel, true);
        assert_eq!(
            filter_all(b"m{namespace=\"ns\",pod=\"web-1\"} 1", &sel),
            b"m{namespace=\"ns\",pod=\"web-1\"} 1\n"
        );
    }

    #[test]
    fn escaped_selector_and_line_matches() {
        let sel = PodSelector::new("ns", "we\"ird\\pod");
        let line = br#"m{namespace="ns",pod="we\"ird\\pod"} 1"#;
        assert!(line_matches(line, &sel));
        assert_eq!(filter_all(line, &sel), [line.as_slice(), b"\n"].concat());
        let web = PodSelector::new("ns", "web-1");
        assert!(line_matches(
            b"m{namespace=\"ns\",pod=\"web-1\"} 1\r\n",
            &web
        ));
        assert!(!line_matches(b"m{namespace=\"ns\",pod=\"web-10\"} 1", &web));
        assert!(!line_matches(b"m{namespace=\"ns2\",pod=\"web-1\"} 1", &web));
        assert!(!line_matches(b"m{pod=\"web-1\"} 1", &web));
        assert!(!line_matches(b"# HELP m \"web-1\"", &web));
        assert!(!line_matches(b"m{namespace=\"ns\",pod=\"web-1\"} x", &web));
        assert!(!line_matches(
            b"m{namespace=\"ns\",pod=\"web-1\",pod=\"web-1\"} 1",
            &web
        ));
        assert!(!line_matches(
            b"m{namespace=\"ns\",pod=\"web-1\xff\"} 1",
            &web
        ));
        let empty = PodSelector::new("", "");
        assert!(line_matches(b"m{namespace=\"\",pod=\"\"} 1", &empty));
        assert!(!line_matches(b"m{namespace=\"\"} 1", &empty));
    }

    #[test]
    fn overlong_lines_are_dropped_in_every_chunking() {
        let sel = PodSelector::new("ns", "web-1");
        let long = format!(
            "m{{namespace=\"ns\",pod=\"web-1\",pad=\"{}\"}} 1",
            "x".repeat(MAX_LINE_BYTES)
        );
        assert!(!line_matches(long.as_bytes(), &sel));
        let body = format!("{long}\nm{{namespace=\"ns\",pod=\"web-1\"}} 2\n{long}");
        let out = filter_all(body.as_bytes(), &sel);
        assert_eq!(out, b"m{namespace=\"ns\",pod=\"web-1\"} 2\n");
        assert_eq!(
            filter_in_chunks(body.as_bytes(), &sel, &mut || 100_000),
            out
        );
        assert_eq!(filter_in_chunks(body.as_bytes(), &sel, &mut || 1), out);
    }

    #[test]
    fn random_bodies_agree_with_the_line_predicate() {
        let pieces = [
            "m{namespace=\"ns\",pod=\"web-1\"} 1",
            "m{namespace=\"ns\",pod=\"web-10\"} 1",
            "m{pod=\"web-1\",namespace=\"ns\",id=\"#/pod0a-1\"} 1 5",
            "n{namespace=\"ns\",pod_name=\"web-1\",v=\"é,\\\"}\"} NaN",
            "n{namespace=\"x\",pod=\"web-1\"} 1",
            "k{id=\"/kubepods/pod0a-1/c\"} 2",
            "k{id=\"/kubepods/pod0a-10\"} 2",
            "k{id=\"/kubepods.slice/kubepods-pod0a_1.slice\"} 2",
            "# HELP m M \"web-1\"",
            "# TYPE m gauge",
            "  # TYPE n counter",
            "#",
            "",
            "m{namespace=\"ns\",pod=\"web-1\" 1",
            "\"web-1\" 0a-1 #",
        ];
        let sel = PodSelector::new("ns", "web-1").with_uid("0a-1");
        let mut rng = xorshift(0x1234_5678_9abc_def1);
        for round in 0..40 {
            let mut body = String::new();
            for _ in 0..(rng() % 60) {
                body += pieces[(rng() % pieces.len() as u64) as usize];
                body += if rng().is_multiple_of(5) {
                    "\r\n"
                } else {
                    "\n"
                };
            }
            if round % 2 == 0 {
                body.pop();
            }
            let expected: Vec<&str> = body
                .split('\n')
                .filter(|l| line_matches(l.as_bytes(), &sel))
                .collect();
            let out = String::from_utf8(filter_all(body.as_bytes(), &sel)).unwrap();
            let got: Vec<&str> = out
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .collect();
            assert_eq!(
                got,
                expected
                    .iter()
                    .map(|l| l.trim_end_matches('\r'))
                    .collect::<Vec<_>>(),
                "{body:?}"
            );
            assert_chunking_invariant(body.as_bytes(), &sel, true);
        }
    }
}
