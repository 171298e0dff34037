//! The matrix itself: every source × every fault class, the exit code each case must give,
//! and which layers must still be there.

/// A source of a live trace, i.e. one request (or one kind of request) ktrace makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    Pod,
    /// `/apis/metrics.k8s.io`: which Metrics API version is served.
    Discovery,
    PodMetrics,
    ApiService,
    /// The backend Deployment, asked for by name.
    Deployment,
    /// The backend Service (read when the Deployment is not named like it).
    Service,
    /// The Deployments of the backend's namespace (listed to match the Service selector).
    DeploymentList,
    /// The adapter's ConfigMap.
    ConfigMap,
    /// Both Prometheus queries, through the API server's service proxy.
    PromProxy,
    /// Both Prometheus queries, sent to `--prometheus-url` with `--prometheus-token-file`.
    PromDirect,
    Cadvisor,
    Resource,
    Version,
}

/// Every source, in the order the cases are numbered.
pub const SOURCES: [Src; 13] = [
    Src::Pod,
    Src::Discovery,
    Src::PodMetrics,
    Src::ApiService,
    Src::Deployment,
    Src::Service,
    Src::DeploymentList,
    Src::ConfigMap,
    Src::PromProxy,
    Src::PromDirect,
    Src::Cadvisor,
    Src::Resource,
    Src::Version,
];

/// What the hostile server does to a source's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No fault: the scenario as recorded (a control case per way of reaching the backend).
    Healthy,
    /// Never answers.
    Timeout,
    /// TCP RST once the request came, no HTTP answer.
    Reset,
    /// A metav1.Status failure with this code.
    Status(u16),
    /// `Content-Length` says more than is sent; the connection closes.
    Truncated,
    /// A complete HTTP answer whose body is cut in the middle (invalid JSON / exposition).
    CutShort,
    /// 200 with binary garbage (NUL, invalid UTF-8, terminal escapes).
    Garbage,
    /// 200 with valid JSON (or exposition) of the wrong types.
    WrongShape,
    /// 200 with a body over the limits of src/fetch/limits.rs.
    Huge,
    /// 200, then one byte per interval, forever.
    Drip,
    /// 500 whose text body quotes the request's Authorization header.
    EchoBody,
    /// 403 metav1.Status whose message quotes the Authorization header.
    EchoStatus,
    /// 302 whose Location (and page) carries `access_token=<the bearer token>`.
    EchoRedirect,
}

/// Every fault class.
pub const FAULTS: [Fault; 16] = [
    Fault::Timeout,
    Fault::Reset,
    Fault::Status(401),
    Fault::Status(403),
    Fault::Status(404),
    Fault::Status(500),
    Fault::Status(503),
    Fault::Truncated,
    Fault::CutShort,
    Fault::Garbage,
    Fault::WrongShape,
    Fault::Huge,
    Fault::Drip,
    Fault::EchoBody,
    Fault::EchoStatus,
    Fault::EchoRedirect,
];

impl Fault {
    /// Whether the case waits for the request timeout (and so runs with a short one).
    pub fn waits(self) -> bool {
        matches!(self, Fault::Timeout | Fault::Drip)
    }
}

/// One case of the matrix.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub src: Src,
    pub fault: Fault,
}

impl Case {
    /// `pod × timeout`, the name failures and KNOWN_DEFECTS use.
    pub fn name(&self) -> String {
        let f = match self.fault {
            Fault::Status(c) => c.to_string(),
            other => format!("{other:?}").to_lowercase(),
        };
        format!("{:?} × {f}", self.src).to_lowercase()
    }

    /// The documented exit code (README "Exit codes"), by the rules of the code:
    /// * a fatal Pod answer — 401, 404, or no connection at all (a reset; a timeout is not
    ///   fatal) — is an error, exit 1, without a report (src/fetch/mod.rs `check_pod`);
    /// * a source the verdict does not require for a prometheus-adapter backend (the
    ///   discovery, which falls back to v1beta1 as kubectl does; `/version`; the kubelet's
    ///   `/metrics/resource`) leaves the report whole: exit 0 (src/lineage/sources.rs);
    /// * a kubelet body over the limit is kept up to it (and the cut said): the layer is
    ///   there, exit 0;
    /// * any other failure is recorded and the report says a layer is missing: exit 3.
    pub fn expected_exit(&self) -> i32 {
        // A Pod answer that is refused, missing, or broken off on the wire (reset, a body
        // shorter than its Content-Length) leaves nothing to trace: exit 1, as kubectl.
        let fatal_pod = matches!(
            self.fault,
            Fault::Status(401 | 404) | Fault::Reset | Fault::Truncated
        );
        let optional = matches!(self.src, Src::Discovery | Src::Version | Src::Resource);
        // A cut or unreadable source the lineage needs is partial (3); an optional one is
        // reported but does not change the verdict.
        match () {
            _ if self.fault == Fault::Healthy => 0,
            _ if self.src == Src::Pod && fatal_pod => 1,
            _ if optional => 0,
            _ => 3,
        }
    }

    /// The bundle sources that must still have been read (`"status":"ok"`): every source
    /// that does not depend on the faulted one (the chain of src/fetch/mod.rs).
    pub fn must_stay_ok(&self) -> &'static [&'static str] {
        const KUBELET: [&str; 2] = ["kubelet_cadvisor", "kubelet_resource"];
        match self.src {
            Src::Pod => &[
                "pod_metrics",
                "apiservice",
                "backend_deployment",
                "adapter_config",
            ],
            Src::Discovery | Src::Version => &[
                "pod",
                "pod_metrics",
                "apiservice",
                "backend_deployment",
                "adapter_config",
                KUBELET[0],
                KUBELET[1],
            ],
            Src::PodMetrics => &[
                "pod",
                "apiservice",
                "backend_deployment",
                "adapter_config",
                KUBELET[0],
                KUBELET[1],
            ],
            Src::ApiService | Src::Deployment | Src::Service | Src::DeploymentList => {
                &["pod", "pod_metrics", KUBELET[0], KUBELET[1]]
            }
            Src::ConfigMap | Src::PromProxy | Src::PromDirect => &[
                "pod",
                "pod_metrics",
                "apiservice",
                "backend_deployment",
                KUBELET[0],
                KUBELET[1],
            ],
            Src::Cadvisor => &[
                "pod",
                "pod_metrics",
                "apiservice",
                "backend_deployment",
                "adapter_config",
                KUBELET[1],
            ],
            Src::Resource => &[
                "pod",
                "pod_metrics",
                "apiservice",
                "backend_deployment",
                "adapter_config",
                KUBELET[0],
            ],
        }
    }

    /// Whether the Metrics API's number must still be in the text report.
    pub fn metrics_api_renders(&self) -> bool {
        !matches!(self.src, Src::PodMetrics)
    }
}

/// Every live case: sources × faults, then a healthy control case for each way the backend
/// is reached (by name with `--prometheus-url`, by Service selector, through the proxy).
pub fn live_cases() -> Vec<Case> {
    let controls = [Src::Deployment, Src::Service, Src::PromProxy].map(|src| Case {
        src,
        fault: Fault::Healthy,
    });
    SOURCES
        .iter()
        .flat_map(|&src| FAULTS.iter().map(move |&fault| Case { src, fault }))
        .chain(controls)
        .collect()
}
