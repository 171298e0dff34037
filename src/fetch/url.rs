//! URL text: taking credentials out before a URL is stored or printed, and query encoding.

/// Query parameter names (substrings, lower case) that are taken to carry a credential.
const CREDENTIAL_WORDS: [&str; 6] = ["token", "key", "secret", "password", "auth", "credential"];

/// A URL without user info or credential-like query parameters, safe to store and print.
/// (Credentials belong in `--prometheus-token-file`.)
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (path, query) = tail
        .split_once('?')
        .map_or((tail, None), |(p, q)| (p, Some(q)));
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
            !CREDENTIAL_WORDS.iter().any(|w| k.contains(w))
        })
        .collect();
    let sep = if scheme.is_empty() { "" } else { "://" };
    let q = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    format!("{scheme}{sep}{host}{path}{q}")
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters stay).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
