//! The TLS identity of a loopback test API server and the kubeconfig that trusts it.
//!
//! Shared by the integration tests' `TestApiServer` and the benchmark's server
//! (`benches/trace/server.rs`), so both serve ktrace the same certificate chain and
//! kubeconfig. Everything here is used by both.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Install ring as the process-wide rustls crypto provider (tech.md §1). Idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Standard base64 (RFC 4648, with padding), as used in kubeconfig `*-data` fields.
pub fn base64_encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Kubeconfig YAML: cluster/user/context `test` for `server_url`, trusting `ca_pem`, with
/// bearer `token` and, if given, a default `namespace`.
pub fn kubeconfig_yaml(
    server_url: &str,
    ca_pem: &str,
    token: &str,
    namespace: Option<&str>,
) -> String {
    let ns = namespace
        .map(|n| format!("    namespace: {n}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\n\
             kind: Config\n\
             clusters:\n\
             - name: test\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\n\
             users:\n\
             - name: test\n  user:\n    token: {token}\n\
             contexts:\n\
             - name: test\n  context:\n    cluster: test\n    user: test\n{ns}\
             current-context: test\n\
             preferences: {{}}\n",
        url = server_url,
        ca = base64_encode(ca_pem.as_bytes()),
    )
}

/// A fresh CA and a leaf certificate for `127.0.0.1`/`localhost` signed by it: the CA's PEM
/// (for kubeconfigs and `--cacert`) and a rustls server config (ring, HTTP/1.1).
pub fn make_tls() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    install_crypto_provider();
    let ca_key = KeyPair::generate().expect("generate CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "ktrace-test-ca");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).expect("self-sign CA");
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().expect("generate leaf key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("leaf params");
    leaf.distinguished_name
        .push(DnType::CommonName, "ktrace-test-apiserver");
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("sign leaf");

    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone()];
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(chain, key_der)
    .expect("server cert");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    (ca_cert.pem(), Arc::new(config))
}
