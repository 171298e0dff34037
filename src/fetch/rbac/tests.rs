use super::*;

#[test]
fn names_the_permission() {
    assert_eq!(
        needs("/api/v1/nodes/worker-4/proxy/metrics/cadvisor"),
        "get nodes/proxy"
    );
    assert_eq!(
        needs("/apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1"),
        "get pods.metrics.k8s.io"
    );
    assert_eq!(
        needs("/api/v1/namespaces/csi/pods/blockvol-fs-1"),
        "get pods"
    );
    assert_eq!(
        needs(
            "/api/v1/namespaces/openshift-monitoring/services/https:prometheus-k8s:9091/proxy/api/v1/query?query=x"
        ),
        "get services/proxy"
    );
    assert_eq!(
        needs("/apis/apps/v1/namespaces/monitoring/deployments"),
        "list deployments.apps"
    );
    assert_eq!(
        needs("/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io"),
        "get apiservices.apiregistration.k8s.io"
    );
    assert_eq!(
        needs("/api/v1/namespaces/openshift-monitoring/configmaps/adapter-config"),
        "get configmaps"
    );
}
