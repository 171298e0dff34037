//! The node lineage (`top node` vs `describe node`) on the real Node and Pod lists of
//! `../shared/realdata/node/` (read in place), and real kubectl against the test API server
//! printing exactly the strings ktrace predicts.

mod backend;
mod describe_realdata;
mod kubectl;
mod render;

use serde_json::Value;

use crate::support::fixtures;

/// A YAML `kind: List` of the node corpus, as JSON.
pub fn realdata_yaml(file: &str) -> Value {
    let path = fixtures::realdata_dir().join("node").join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); set KTRACE_REALDATA", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The one Node of a nodes list.
pub fn only_node(file: &str) -> Value {
    let list = realdata_yaml(file);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{file} holds one node");
    items[0].clone()
}

pub const NODES_135: &str = "nri-k8s-1.35-minikube-containerd2-cgv2-nodes.yaml";
pub const PODS_135: &str = "nri-k8s-1.35-minikube-containerd2-cgv2-pods.yaml";
pub const NODES_124: &str = "nri-k8s-1.24-minikube-containerd-cgv2-nodes.yaml";
pub const PODS_124: &str = "nri-k8s-1.24-minikube-containerd-cgv2-pods.yaml";
