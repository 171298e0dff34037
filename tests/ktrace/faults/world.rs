//! One case's world: the test API server answering the seed scenario (with planted secrets),
//! the faulted source's route swapped for a hostile one, and — unless the case goes through
//! the service proxy — a second HTTPS server standing in for `--prometheus-url`.

use std::path::PathBuf;
use std::sync::OnceLock;

use bytes::Bytes;
use serde_json::{Value, json};

use super::table::{Case, Fault, Src};
use crate::support::apiserver::{Route, Routes, ServerOptions, TestApiServer};
use crate::support::random_hex;
use crate::support::scenario::{body, bundle, request};

const JSON: &str = "application/json";
const EXPOSITION: &str = "text/plain; version=0.0.4";
const PROXY: &str =
    "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy";
const NS_APIS: &str = "/apis/apps/v1/namespaces/openshift-monitoring";
/// The backend Service's name in the selector scenario: no Deployment has it, so ktrace
/// reads the Service and lists the Deployments to find the one its selector matches.
const SELECTOR_SERVICE: &str = "metrics-backend";

/// The seed bundle, read once for all cases.
fn seed() -> &'static Value {
    static SEED: OnceLock<Value> = OnceLock::new();
    SEED.get_or_init(|| bundle("seed-ocp48-crio-cgv1.json"))
}

/// A running case.
pub struct World {
    #[allow(dead_code)] // kept alive for the run
    pub api: TestApiServer,
    /// The `--prometheus-url` server (absent when the case uses the service proxy).
    pub prom: Option<TestApiServer>,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub prom_token_file: PathBuf,
    pub prom_ca_file: PathBuf,
    /// (what, value) of every secret planted; none may come out.
    pub secrets: Vec<(&'static str, String)>,
}

/// One answer of the scenario: where, and what it normally is.
struct Answer {
    path: String,
    content_type: &'static str,
    good: String,
}

/// Builds and starts the world for `case`.
pub fn build(case: &Case) -> World {
    let env_secret = format!("envsecret-{}", random_hex(12));
    let answers = answers(case, &env_secret);
    let mut routes = Routes::new();
    for (src, a) in &answers.api {
        routes.insert(a.path.clone(), route_for(case, *src, a));
    }
    let api = TestApiServer::start(routes, ServerOptions::default());
    let prom = (case.src != Src::PromProxy).then(|| {
        let routes: Routes = answers
            .direct
            .iter()
            .map(|a| (a.path.clone(), route_for(case, Src::PromDirect, a)))
            .collect();
        TestApiServer::start(routes, ServerOptions::default())
    });
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = api.write_kubeconfig(dir.path(), None);
    let prom_token = match &prom {
        Some(p) => p.token().to_string(),
        None => format!("promsecret-{}", random_hex(12)),
    };
    let prom_token_file = dir.path().join("prom-token");
    std::fs::write(&prom_token_file, &prom_token).unwrap();
    let prom_ca_file = dir.path().join("prom-ca.pem");
    let ca = prom.as_ref().map_or("", |p| p.ca_pem());
    std::fs::write(&prom_ca_file, ca).unwrap();
    let secrets = vec![
        ("kubeconfig token", api.token().to_string()),
        ("Prometheus token", prom_token),
        ("env value (Pod, Deployment)", env_secret),
    ];
    World {
        api,
        prom,
        dir,
        kubeconfig,
        prom_token_file,
        prom_ca_file,
        secrets,
    }
}

/// The route for answer `a` of source `src`: hostile when `src` is the case's faulted one.
fn route_for(case: &Case, src: Src, a: &Answer) -> Route {
    if case.src != src || case.fault == Fault::Healthy {
        return match a.content_type {
            JSON => Route::Json(200, a.good.clone()),
            ct => Route::text(ct, a.good.clone()),
        };
    }
    hostile(case.fault, a)
}

/// `fault` applied to answer `a`.
fn hostile(fault: Fault, a: &Answer) -> Route {
    let ct = a.content_type.to_string();
    let half = Bytes::from(a.good.as_bytes()[..cut_point(&a.good)].to_vec());
    match fault {
        Fault::Healthy => Route::text(a.content_type, a.good.clone()),
        Fault::Timeout => Route::Hang,
        Fault::Reset => Route::Reset,
        Fault::Status(code) => Route::status(code, reason(code), "injected by the fault matrix"),
        Fault::Truncated => Route::Truncated {
            code: 200,
            content_type: ct,
            body: half,
            declared: a.good.len(),
        },
        Fault::CutShort => Route::Text(200, ct, half),
        Fault::Garbage => Route::Text(200, ct, garbage()),
        Fault::WrongShape => Route::Text(200, ct, Bytes::from(wrong_shape(a))),
        Fault::Huge if a.content_type == EXPOSITION => Route::Text(200, ct, huge_exposition()),
        Fault::Huge => Route::Text(200, ct, Bytes::from(huge_json(&a.good))),
        Fault::Drip => Route::Trickle(std::time::Duration::from_millis(100)),
        Fault::EchoBody => Route::EchoAuth {
            code: 500,
            as_status: false,
        },
        Fault::EchoStatus => Route::EchoAuth {
            code: 403,
            as_status: true,
        },
        Fault::EchoRedirect => Route::Redirect {
            code: 302,
            location: "https://127.0.0.1:1/login?access_token={token}&next={token}".into(),
        },
    }
}

/// Where a body is cut: just after the planted env value when it has one (so the cut body
/// still holds the secret), else in the middle.
fn cut_point(good: &str) -> usize {
    match good.find("envsecret-") {
        Some(i) => (i + 40).min(good.len() - 1),
        None => good.len() / 2,
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        503 => "ServiceUnavailable",
        _ => "InternalError",
    }
}

/// NUL, invalid UTF-8, a CSI, C1 controls, braces: nothing any parser accepts.
fn garbage() -> Bytes {
    let unit: &[u8] = b"\x00\xff\xfe{{\x1b[2J\x1b]0;owned\x07\xc2\x9b31m\xc3(<html>}}\n";
    Bytes::from(unit.repeat(64))
}

/// Over the 4 MiB object and Prometheus limits: the good object with a 5 MiB field.
fn huge_json(good: &str) -> String {
    let pad = "x".repeat(5 << 20);
    match good.strip_prefix('{') {
        Some(rest) => format!(r#"{{"pad":"{pad}",{rest}"#),
        None => format!(r#"{{"pad":"{pad}"}}"#),
    }
}

/// 12 MiB of lines matching the pod, over the 8 MiB / 20000 lines kept of a kubelet body.
fn huge_exposition() -> Bytes {
    static HUGE: OnceLock<Bytes> = OnceLock::new();
    HUGE.get_or_init(|| {
        let lines: String = body(seed(), "kubelet_cadvisor")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        Bytes::from(lines.repeat((12 << 20) / lines.len() + 1))
    })
    .clone()
}

/// Valid JSON of the wrong types (strings ↔ numbers, booleans as strings; env lists kept so
/// the planted value is still there), or exposition whose sample values are not numbers.
fn wrong_shape(a: &Answer) -> String {
    if a.content_type == EXPOSITION {
        return a
            .good
            .lines()
            .map(|l| match l.rsplit_once(' ') {
                Some((series, _)) if !l.starts_with('#') => format!("{series} \"12\"\n"),
                _ => format!("{l}\n"),
            })
            .collect();
    }
    let mut v: Value = serde_json::from_str(&a.good).unwrap();
    flip(&mut v);
    v.to_string()
}

fn flip(v: &mut Value) {
    match v {
        Value::String(s) => *v = json!(s.len()),
        Value::Number(n) => *v = json!(n.to_string()),
        Value::Bool(b) => *v = json!(b.to_string()),
        Value::Array(items) => items.iter_mut().for_each(flip),
        Value::Object(map) => map
            .iter_mut()
            .filter(|(k, _)| k.as_str() != "env")
            .for_each(|(_, c)| flip(c)),
        Value::Null => *v = json!({}),
    }
}

/// The scenario's answers: on the API server per source, and on the direct Prometheus.
struct Answers {
    api: Vec<(Src, Answer)>,
    direct: Vec<Answer>,
}

fn answers(case: &Case, env_secret: &str) -> Answers {
    let seed = seed();
    let json_answer = |src: &str, good: String| Answer {
        path: request(seed, src).to_string(),
        content_type: JSON,
        good,
    };
    let env = json!([{"name": "DB_PASSWORD", "value": env_secret}]);
    let mut pod: Value = serde_json::from_str(body(seed, "pod")).unwrap();
    pod["spec"]["containers"][0]["env"] = env.clone();
    let mut deployment: Value = serde_json::from_str(body(seed, "backend_deployment")).unwrap();
    deployment["spec"]["template"]["spec"]["containers"][0]["env"] = env;
    let mut apiservice: Value = serde_json::from_str(body(seed, "apiservice")).unwrap();
    let selector_mode = matches!(case.src, Src::Service | Src::DeploymentList);
    if selector_mode {
        apiservice["spec"]["service"]["name"] = json!(SELECTOR_SERVICE);
    }
    let mut api = vec![
        (Src::Pod, json_answer("pod", pod.to_string())),
        (
            Src::Discovery,
            json_answer("metrics_discovery", body(seed, "metrics_discovery").into()),
        ),
        (
            Src::PodMetrics,
            json_answer("pod_metrics", body(seed, "pod_metrics").into()),
        ),
        (
            Src::ApiService,
            json_answer("apiservice", apiservice.to_string()),
        ),
        (
            Src::Deployment,
            json_answer("backend_deployment", deployment.to_string()),
        ),
        (
            Src::ConfigMap,
            json_answer("adapter_config", body(seed, "adapter_config").into()),
        ),
        (
            Src::Version,
            Answer {
                path: "/version".into(),
                content_type: JSON,
                good: crate::support::apiserver::VERSION_JSON.into(),
            },
        ),
    ];
    for (src, name) in [
        (Src::Cadvisor, "kubelet_cadvisor"),
        (Src::Resource, "kubelet_resource"),
    ] {
        api.push((
            src,
            Answer {
                path: request(seed, name).to_string(),
                content_type: EXPOSITION,
                good: body(seed, name).to_string(),
            },
        ));
    }
    if selector_mode {
        api.extend(selector_answers(&deployment));
    }
    let mut direct = Vec::new();
    for q in seed["sources"]["prometheus"].as_array().unwrap() {
        let path = q["source"]["request"].as_str().unwrap();
        let good = q["source"]["outcome"]["body"].as_str().unwrap().to_string();
        let suffix = path.strip_prefix(PROXY).unwrap().to_string();
        if case.src == Src::PromProxy {
            api.push((
                Src::PromProxy,
                Answer {
                    path: path.into(),
                    content_type: JSON,
                    good,
                },
            ));
        } else {
            direct.push(Answer {
                path: suffix,
                content_type: JSON,
                good,
            });
        }
    }
    // Any other query (the raw-series one, which the seed did not record) finds no series.
    let other = Answer {
        path: "/api/v1/query".into(),
        content_type: JSON,
        good: r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.into(),
    };
    if case.src == Src::PromProxy {
        let path = format!("{PROXY}{}", other.path);
        api.push((Src::PromProxy, Answer { path, ..other }));
    } else {
        direct.push(other);
    }
    Answers { api, direct }
}

/// The Service (selecting the seed Deployment's pods) and the Deployment list.
fn selector_answers(deployment: &Value) -> [(Src, Answer); 2] {
    let selector = deployment["spec"]["selector"]["matchLabels"].clone();
    let service = json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": {"name": SELECTOR_SERVICE, "namespace": "openshift-monitoring"},
        "spec": {"selector": selector, "ports": [{"port": 443, "targetPort": 6443}]}
    });
    let list = json!({"kind": "DeploymentList", "apiVersion": "apps/v1", "items": [deployment]});
    [
        (
            Src::Service,
            Answer {
                path: format!(
                    "/api/v1/namespaces/openshift-monitoring/services/{SELECTOR_SERVICE}"
                ),
                content_type: JSON,
                good: service.to_string(),
            },
        ),
        (
            Src::DeploymentList,
            Answer {
                path: format!("{NS_APIS}/deployments"),
                content_type: JSON,
                good: list.to_string(),
            },
        ),
    ]
}
